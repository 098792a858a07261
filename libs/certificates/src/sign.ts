import forge from 'node-forge';
import { unixLines } from './keygen';

// Present at run time, missing from @types/node-forge.
const { getTBSCertificate } = forge.pki as unknown as {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
};
/** TBSCertificate field index of the issuer Name (after version, serial and signature algorithm). */
const ISSUER_FIELD = 3;

/**
 * Signs `cert` with SHA-256 RSA and returns it as PEM. With `issuer`, the issuer Name is those exact DER
 * bytes (the CA's subject as the CA certificate has it) rather than forge's re-encoding of parsed fields.
 * Does what forge's `cert.sign` does, with the issuer set between building and signing the TBSCertificate.
 */
export function signCertificate(
  cert: forge.pki.Certificate,
  key: forge.pki.rsa.PrivateKey,
  issuer?: forge.asn1.Asn1,
): string {
  const md = forge.md.sha256.create();
  cert.md = md;
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption ?? '';
  cert.siginfo.algorithmOid = cert.signatureOid;
  const tbs = getTBSCertificate(cert);
  if (issuer !== undefined && Array.isArray(tbs.value)) tbs.value[ISSUER_FIELD] = issuer;
  // certificateToPem writes this cached TBSCertificate, the very bytes that were signed.
  cert.tbsCertificate = tbs;
  md.update(forge.asn1.toDer(tbs).getBytes());
  cert.signature = key.sign(md);
  return unixLines(forge.pki.certificateToPem(cert));
}
