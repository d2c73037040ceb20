/**
 * Wallet passes are off until configured. Each wallet has one switch, its private key (a
 * secret): unset, its route answers 404 and the ticket page shows no link to it. Once the
 * key is set, the rest of that wallet's settings must be too; a missing one is a deployment
 * fault (500 and a log line naming it), never a silent half-built pass.
 *
 * Google Wallet: GOOGLE_WALLET_PRIVATE_KEY (the service account's PKCS#8 PEM key, a secret),
 * GOOGLE_WALLET_ISSUER_ID and GOOGLE_WALLET_SERVICE_ACCOUNT_EMAIL (vars).
 * Apple Wallet: APPLE_PASS_PRIVATE_KEY (the pass certificate's PKCS#8 PEM RSA key, a secret),
 * APPLE_PASS_CERTIFICATE and APPLE_WWDR_CERTIFICATE (PEM; not secret, but long, so usually
 * set with `wrangler secret put` too), APPLE_PASS_TYPE_ID and APPLE_TEAM_ID (vars).
 * Both show WALLET_ISSUER_NAME as who issued the pass.
 */

/** Set, but not all of it, or not readable: a deployment fault, never the client's. */
export class WalletConfigError extends Error {
  override name = "WalletConfigError";
}

/** Secrets are optional (off until set) and not typed in Env: read them as such. */
interface WalletSettings {
  GOOGLE_WALLET_PRIVATE_KEY?: string;
  GOOGLE_WALLET_ISSUER_ID?: string;
  GOOGLE_WALLET_SERVICE_ACCOUNT_EMAIL?: string;
  APPLE_PASS_PRIVATE_KEY?: string;
  APPLE_PASS_CERTIFICATE?: string;
  APPLE_WWDR_CERTIFICATE?: string;
  APPLE_PASS_TYPE_ID?: string;
  APPLE_TEAM_ID?: string;
  WALLET_ISSUER_NAME?: string;
}

export interface GoogleWalletConfig {
  issuerId: string;
  serviceAccountEmail: string;
  privateKeyPem: string;
  issuerName: string;
}

export interface ApplePassConfig {
  passTypeId: string;
  teamId: string;
  organizationName: string;
  privateKeyPem: string;
  certificatePem: string;
  wwdrCertificatePem: string;
}

function settingsOf(env: Env): WalletSettings {
  return env as Env & WalletSettings;
}

/** The named settings' values, or a WalletConfigError naming every one missing. */
function required<K extends keyof WalletSettings>(
  settings: WalletSettings,
  wallet: string,
  names: readonly K[],
): Record<K, string> {
  const missing = names.filter((name) => !settings[name]?.trim());
  if (missing.length > 0) {
    const verb = missing.length > 1 ? "are" : "is";
    throw new WalletConfigError(`${wallet} is on but ${missing.join(", ")} ${verb} not set`);
  }
  return Object.fromEntries(names.map((name) => [name, settings[name]?.trim()])) as Record<
    K,
    string
  >;
}

function issuerName(settings: WalletSettings): string {
  return settings.WALLET_ISSUER_NAME?.trim() || "Tickets";
}

export function googleWalletEnabled(env: Env): boolean {
  return Boolean(settingsOf(env).GOOGLE_WALLET_PRIVATE_KEY?.trim());
}

export function applePassEnabled(env: Env): boolean {
  return Boolean(settingsOf(env).APPLE_PASS_PRIVATE_KEY?.trim());
}

/** Undefined while Google Wallet is off. */
export function googleWalletConfig(env: Env): GoogleWalletConfig | undefined {
  if (!googleWalletEnabled(env)) return undefined;
  const settings = settingsOf(env);
  const values = required(settings, "Google Wallet (GOOGLE_WALLET_PRIVATE_KEY)", [
    "GOOGLE_WALLET_PRIVATE_KEY",
    "GOOGLE_WALLET_ISSUER_ID",
    "GOOGLE_WALLET_SERVICE_ACCOUNT_EMAIL",
  ]);
  // The issuer id prefixes every class and object id, which allow only these characters.
  if (!/^[A-Za-z0-9._-]+$/.test(values.GOOGLE_WALLET_ISSUER_ID)) {
    throw new WalletConfigError("GOOGLE_WALLET_ISSUER_ID is not an issuer id");
  }
  return {
    issuerId: values.GOOGLE_WALLET_ISSUER_ID,
    serviceAccountEmail: values.GOOGLE_WALLET_SERVICE_ACCOUNT_EMAIL,
    privateKeyPem: values.GOOGLE_WALLET_PRIVATE_KEY,
    issuerName: issuerName(settings),
  };
}

/** Undefined while Apple Wallet is off. */
export function applePassConfig(env: Env): ApplePassConfig | undefined {
  if (!applePassEnabled(env)) return undefined;
  const settings = settingsOf(env);
  const values = required(settings, "Apple Wallet (APPLE_PASS_PRIVATE_KEY)", [
    "APPLE_PASS_PRIVATE_KEY",
    "APPLE_PASS_CERTIFICATE",
    "APPLE_WWDR_CERTIFICATE",
    "APPLE_PASS_TYPE_ID",
    "APPLE_TEAM_ID",
  ]);
  return {
    passTypeId: values.APPLE_PASS_TYPE_ID,
    teamId: values.APPLE_TEAM_ID,
    organizationName: issuerName(settings),
    privateKeyPem: values.APPLE_PASS_PRIVATE_KEY,
    certificatePem: values.APPLE_PASS_CERTIFICATE,
    wwdrCertificatePem: values.APPLE_WWDR_CERTIFICATE,
  };
}
