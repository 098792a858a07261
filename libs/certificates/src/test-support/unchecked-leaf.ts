import { assertSigningCa, signLeaf } from '../leaf-profile';
import type { CaMaterial, IssueServerOptions, LeafMaterial } from '../types';

/**
 * Signs a leaf without any of the checks of `issueServerCertificate`, for tests that prove other verifiers
 * (OpenSSL, Node, curl) reject what those checks would have refused (tests only).
 */
export async function signLeafUnchecked(ca: CaMaterial, options: IssueServerOptions): Promise<LeafMaterial> {
  assertSigningCa(ca.certPem);
  return signLeaf(ca, options);
}
