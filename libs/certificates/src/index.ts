export {
  assertCaCommonName,
  assertCaKeyBits,
  assertPermittedDomain,
  createCa,
  DEFAULT_CA_KEY_BITS,
} from './ca';
export { type CertificateNames, checkNameConstraints } from './constraints';
export { assertCaDays, assertDays, DEFAULT_LEAF_DAYS, MAX_CA_DAYS, MAX_LEAF_DAYS } from './days';
export { describeCertificate } from './describe';
export { usesNativeKeyGeneration } from './keygen';
export {
  decryptPrivateKey,
  encryptPrivateKey,
  isEncryptedPrivateKey,
  keyMatchesCertificate,
  PBKDF2_ITERATIONS,
} from './keys';
export { DEFAULT_LEAF_KEY_BITS, issueServerCertificate } from './leaf';
export { assertDnsName, assertIp, type IpRange, normalizeIp, parseCidr } from './names';
export { certificateTextProblem, type PemProblem, privateKeyTextProblem } from './pem';
export { isRenewalDue, RENEW_FRACTION, renewalTime, type Validity, validityDays } from './renewal';
export { assertCommonName, MAX_COMMON_NAME_LENGTH } from './subject';
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
