// Process-wide collaborators the resolvers need beyond the database (queue, pub/sub), wired in src/app.ts.
export interface AppServices {
  generationsDir: string;
}
