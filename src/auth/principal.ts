export const roles = ["user", "admin"] as const;
export type Role = (typeof roles)[number];

/** Who is calling, as the verified token says. */
export interface Principal {
  userId: string;
  role: Role;
}
