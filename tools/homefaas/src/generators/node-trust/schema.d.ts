/** Options of `nx g node-trust` (see schema.json). */
export interface NodeTrustGeneratorSchema {
  runtime: 'faasd' | 'k3s' | 'containerd' | 'kubernetes';
  node?: string;
  namespace?: string;
  secretName?: string;
  serviceAccount?: string;
}
