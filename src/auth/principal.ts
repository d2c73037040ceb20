/** `scanner`: door staff, who check tickets in (and may read a ticket), nothing else of note. */
export const roles = ["user", "admin", "scanner"] as const;
export type Role = (typeof roles)[number];

/** Who is calling, as the verified token says. */
export interface Principal {
  userId: string;
  role: Role;
}
