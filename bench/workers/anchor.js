/**
 * The bench's anchor (bench only, served beside the Worker in the same workerd process):
 * GET /anchor calls one Durable Object, which does one SQLite write and answers. No auth,
 * validation or other storage: the floor for a durable lock on this runtime, against
 * which the bench sets its lock and lock+book figures.
 */
import { DurableObject } from "cloudflare:workers";

export class AnchorObject extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS writes (id INTEGER PRIMARY KEY, at INTEGER)");
  }

  write() {
    this.ctx.storage.sql.exec("INSERT INTO writes (at) VALUES (?)", Date.now());
    return 1;
  }
}

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname !== "/anchor") return new Response(null, { status: 404 });
    // One object takes every write, as one show object takes every lock of a show.
    const stub = env.ANCHOR.get(env.ANCHOR.idFromName("anchor"));
    return new Response(JSON.stringify({ written: await stub.write() }), {
      headers: { "Content-Type": "application/json" },
    });
  },
};
