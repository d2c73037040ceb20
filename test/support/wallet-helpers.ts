import { env } from "cloudflare:workers";
import * as asn1js from "asn1js";
import {
  AttributeTypeAndValue,
  BasicConstraints,
  Certificate,
  Extension,
  type RelativeDistinguishedNames,
} from "pkijs";
import { app } from "../../src/app.ts";
import { toBase64 } from "../../src/lib/base64.ts";
import { BASE } from "./helpers.ts";

/**
 * Keys and certificates of the wallet tests, made afresh in each test file: test fixtures,
 * never real Apple or Google credentials. The test Worker has no wallet configured (both
 * routes are off); these tests call the app with the settings added to its bindings.
 */

/** `der` as a PEM block labelled `label`, 64 characters a line. */
export function pem(label: string, der: ArrayBuffer): string {
  const lines = toBase64(new Uint8Array(der)).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export async function rsaKeyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
}

export async function privateKeyPem(key: CryptoKey): Promise<string> {
  return pem("PRIVATE KEY", (await crypto.subtle.exportKey("pkcs8", key)) as ArrayBuffer);
}

function named(names: RelativeDistinguishedNames, commonName: string): void {
  names.typesAndValues.push(
    new AttributeTypeAndValue({
      type: "2.5.4.3", // commonName
      value: new asn1js.Utf8String({ value: commonName }),
    }),
  );
}

/** A certificate of `subject` for `publicKey`, signed by `issuerKey` as `issuer`. */
async function certificate(options: {
  serial: number;
  subject: string;
  issuer: string;
  publicKey: CryptoKey;
  issuerKey: CryptoKey;
  ca: boolean;
}): Promise<Certificate> {
  const cert = new Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ value: options.serial });
  named(cert.subject, options.subject);
  named(cert.issuer, options.issuer);
  cert.notBefore.value = new Date(Date.now() - 86_400_000);
  cert.notAfter.value = new Date(Date.now() + 86_400_000);
  if (options.ca) {
    const constraints = new BasicConstraints({ cA: true });
    cert.extensions = [
      new Extension({
        extnID: "2.5.29.19",
        critical: true,
        extnValue: constraints.toSchema().toBER(false),
        parsedValue: constraints,
      }),
    ];
  }
  await cert.subjectPublicKeyInfo.importKey(options.publicKey);
  await cert.sign(options.issuerKey, "SHA-256");
  return cert;
}

/**
 * A stand-in for Apple's chain: a CA (in WWDR's place) and a pass certificate it signed,
 * with the pass certificate's key, and the settings that turn Apple Wallet on with them.
 */
export async function testPassCredentials() {
  const caKeys = await rsaKeyPair();
  const passKeys = await rsaKeyPair();
  const wwdr = await certificate({
    serial: 1,
    subject: "Test WWDR (test fixture)",
    issuer: "Test WWDR (test fixture)",
    publicKey: caKeys.publicKey,
    issuerKey: caKeys.privateKey,
    ca: true,
  });
  const pass = await certificate({
    serial: 2,
    subject: "Pass Type ID: pass.com.example.tickets (test fixture)",
    issuer: "Test WWDR (test fixture)",
    publicKey: passKeys.publicKey,
    issuerKey: caKeys.privateKey,
    ca: false,
  });
  const vars = {
    APPLE_PASS_PRIVATE_KEY: await privateKeyPem(passKeys.privateKey),
    APPLE_PASS_CERTIFICATE: pem("CERTIFICATE", pass.toSchema().toBER()),
    APPLE_WWDR_CERTIFICATE: pem("CERTIFICATE", wwdr.toSchema().toBER()),
    APPLE_PASS_TYPE_ID: "pass.com.example.tickets",
    APPLE_TEAM_ID: "TEAM123456",
    WALLET_ISSUER_NAME: "Test Tickets",
  };
  return { wwdr, pass, vars };
}

/** A service account's key pair and the settings that turn Google Wallet on with it. */
export async function testGoogleCredentials() {
  const keys = await rsaKeyPair();
  const vars = {
    GOOGLE_WALLET_PRIVATE_KEY: await privateKeyPem(keys.privateKey),
    GOOGLE_WALLET_ISSUER_ID: "3388000000012345678",
    GOOGLE_WALLET_SERVICE_ACCOUNT_EMAIL: "wallet@test-project.iam.gserviceaccount.com",
    WALLET_ISSUER_NAME: "Test Tickets",
  };
  return { publicKey: keys.publicKey, vars };
}

/** GET `path` from the app with `vars` added to the test Worker's bindings. */
export async function getWith(path: string, vars: Record<string, string>): Promise<Response> {
  return await app.request(`${BASE}${path}`, { redirect: "manual" }, { ...env, ...vars });
}

/** The ticket page's path and its wallet routes' for `ticketUrl`. */
export function walletPaths(ticketUrl: string) {
  const page = new URL(ticketUrl).pathname;
  return { page, google: `${page}/wallet/google`, apple: `${page}/wallet/apple` };
}
