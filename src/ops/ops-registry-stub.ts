import type { OpsRegistry } from "./ops-registry.ts";

/** The one ops registry of a deployment (a type import only: the Worker side never loads the class). */
export function opsRegistry(env: Env): DurableObjectStub<OpsRegistry> {
  return env.OPS_REGISTRY.get(env.OPS_REGISTRY.idFromName("ops"));
}
