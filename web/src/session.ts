// The signed-in session: its token lives in localStorage so a reload keeps it.
import { useSyncExternalStore } from 'react';

const KEY = 'shipyard.token';
const listeners = new Set<() => void>();

export const getToken = () => localStorage.getItem(KEY);
export function setToken(token: string | null) {
  if (token) localStorage.setItem(KEY, token);
  else localStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}
export const useToken = () =>
  useSyncExternalStore(
    (l) => (listeners.add(l), () => listeners.delete(l)),
    getToken,
  );
