import type { StateCreator } from 'zustand';
import type { ConnectionState } from '../api/connection-state';
import type { AppState } from './app-store';

export interface ConnectionSlice {
  connection: ConnectionState;
  setConnection: (state: ConnectionState) => void;
}

export const createConnectionSlice: StateCreator<AppState, [], [], ConnectionSlice> = (set) => ({
  connection: { status: 'connecting' },
  setConnection: (connection) => set({ connection }),
});
