import * as asn1js from "asn1js";
import {
  Attribute,
  Certificate,
  ContentInfo,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignedAndUnsignedAttributes,
  SignedData,
  SignerInfo,
} from "pkijs";
import { pemToDer } from "../lib/pem.ts";
import { type ApplePassConfig, WalletConfigError } from "./wallet-config.ts";

/**
 * The `signature` file of a .pkpass: a detached PKCS#7 (CMS SignedData) signature of
 * manifest.json, made with the pass type's certificate and key, carrying that certificate
 * and Apple's WWDR intermediate (a device checks the chain up to Apple's root) and the
 * signing time (Apple refuses a signature without one). Built with PKI.js on WebCrypto.
 */

const OID = {
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
};

export interface PassSigner {
  key: CryptoKey;
  certificate: Certificate;
  intermediate: Certificate;
}

function certificate(pem: string, name: string): Certificate {
  const der = pemToDer(pem, "CERTIFICATE");
  if (!der) throw new WalletConfigError(`${name} is not a PEM certificate`);
  try {
    return Certificate.fromBER(der);
  } catch {
    throw new WalletConfigError(`${name} is not an X.509 certificate`);
  }
}

async function loadSigner(config: ApplePassConfig): Promise<PassSigner> {
  const der = pemToDer(config.privateKeyPem, "PRIVATE KEY");
  if (!der) {
    throw new WalletConfigError(
      "APPLE_PASS_PRIVATE_KEY is not a PKCS#8 PEM private key (BEGIN PRIVATE KEY)",
    );
  }
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey(
      "pkcs8",
      der,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    );
  } catch {
    throw new WalletConfigError("APPLE_PASS_PRIVATE_KEY is not an RSA private key");
  }
  return {
    key,
    certificate: certificate(config.certificatePem, "APPLE_PASS_CERTIFICATE"),
    intermediate: certificate(config.wwdrCertificatePem, "APPLE_WWDR_CERTIFICATE"),
  };
}

/** Read once per isolate for the configuration it runs with. */
let cached: { config: string; signer: Promise<PassSigner> } | undefined;

export function passSigner(config: ApplePassConfig): Promise<PassSigner> {
  const key = `${config.privateKeyPem}\n${config.certificatePem}\n${config.wwdrCertificatePem}`;
  if (cached?.config !== key) {
    const signer = loadSigner(config);
    // A failed load is not kept: the next request tries again (and fails the same way).
    signer.catch(() => {
      if (cached?.signer === signer) cached = undefined;
    });
    cached = { config: key, signer };
  }
  return cached.signer;
}

/** The DER of the detached signature of `manifest`, signed at `signedAt`. */
export async function signManifest(
  manifest: Uint8Array,
  signer: PassSigner,
  signedAt: Date,
): Promise<Uint8Array> {
  const digest = await crypto.subtle.digest("SHA-256", manifest);
  const signedData = new SignedData({
    version: 1,
    // No eContent: the signature is detached, manifest.json travels beside it in the zip.
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: OID.data }),
    signerInfos: [
      new SignerInfo({
        version: 1,
        sid: new IssuerAndSerialNumber({
          issuer: signer.certificate.issuer,
          serialNumber: signer.certificate.serialNumber,
        }),
        signedAttrs: new SignedAndUnsignedAttributes({
          type: 0,
          attributes: [
            new Attribute({
              type: OID.contentType,
              values: [new asn1js.ObjectIdentifier({ value: OID.data })],
            }),
            new Attribute({
              type: OID.signingTime,
              values: [new asn1js.UTCTime({ valueDate: signedAt })],
            }),
            new Attribute({
              type: OID.messageDigest,
              values: [new asn1js.OctetString({ valueHex: digest })],
            }),
          ],
        }),
      }),
    ],
    certificates: [signer.certificate, signer.intermediate],
  });
  await signedData.sign(signer.key, 0, "SHA-256");
  const content = new ContentInfo({
    contentType: OID.signedData,
    content: signedData.toSchema(true),
  });
  return new Uint8Array(content.toSchema().toBER());
}
