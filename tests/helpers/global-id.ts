// Relay global ids as the API writes them: base64 of "Type:databaseId".
export const toGlobalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

/** The database id inside a global id. */
export const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':').slice(1).join(':');
