export { assertDays, createCa, DEFAULT_CA_KEY_BITS } from './ca';
export { type CertificateNames, checkNameConstraints } from './constraints';
export { describeCertificate } from './describe';
export { usesNativeKeyGeneration } from './keygen';
export {
  decryptPrivateKey,
  encryptPrivateKey,
  isEncryptedPrivateKey,
  keyMatchesCertificate,
  PBKDF2_ITERATIONS,
} from './keys';
export { DEFAULT_LEAF_KEY_BITS, issueServerCertificate, MAX_LEAF_DAYS } from './leaf';
export { assertDnsName, assertIp, type IpRange, normalizeIp, parseCidr } from './names';
export type {
  CaMaterial,
  CertificateInfo,
  CreateCaOptions,
  IssueServerOptions,
  LeafMaterial,
  VerificationResult,
  VerificationTarget,
} from './types';
export { verifyServerCertificate } from './verify';
