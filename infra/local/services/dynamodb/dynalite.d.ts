/** The part of dynalite's API local AWS uses (the package ships no types). */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** LevelDB directory; in memory when absent. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    verbose?: boolean;
  }

  /** An HTTP server speaking DynamoDB's JSON 1.0 protocol. */
  function dynalite(options?: DynaliteOptions): Server;
  export default dynalite;
}
