/** The areas of {@link ERROR_CODES}, in the order a publish walks through them; the README's table follows it. */
export const ERROR_AREAS = [
  'CA',
  'Certificates and keys',
  'Registry',
  'Docker',
  'Builder trust',
  'Function',
  'Image',
  'Deploy and gateway',
  'Configuration and stack.yml',
  'Secrets and files',
  'Generators and checks',
] as const;

/** One of {@link ERROR_AREAS}. */
export type ErrorArea = (typeof ERROR_AREAS)[number];

/** What a code means and what a person should do when it is thrown. */
export interface ErrorCodeInfo {
  readonly area: ErrorArea;
  /** One line: what failed. */
  readonly meaning: string;
  /** What to do next, when the error carries no more specific hint of its own. */
  readonly hint: string;
}

/**
 * Every code a {@link HomefaasError} can carry (`ERR_<AREA>_<WHAT>`), grouped by area. A code is added here
 * when a new failure is thrown, and removed when nothing throws it any more; README.md's Troubleshooting
 * table is generated from this list (`npx tsx tools/scripts/error-table.ts --write`).
 */
export const ERROR_CODES = {
  ERR_CA_MISSING: {
    area: 'CA',
    meaning: 'The workspace has no CA certificate where homefaas.json says (infra/ca/homeCA.pem by default).',
    hint: 'Create one with `npx nx g ca`, or adopt yours with `npx nx g ca --importCert FILE --importKey FILE`; a CI runner needs the certificate committed.',
  },
  ERR_CA_KEY_MISSING: {
    area: 'CA',
    meaning: 'The CA key is not on this machine, and the step needs it to issue a certificate.',
    hint: 'Run where the CA key is kept, or restore it from your backup (it is never committed); if it is lost, `npx nx g ca --rotate` creates a new CA.',
  },
  ERR_CA_INCOMPLETE: {
    area: 'CA',
    meaning: 'The CA key exists but its certificate does not; no new CA is created over the key.',
    hint: 'Restore the certificate (it is committed: `git checkout -- infra/ca/homeCA.pem`) or set ca.certPath in homefaas.json; to start over, run `npx nx g ca --rotate`.',
  },
  ERR_CA_ELSEWHERE: {
    area: 'CA',
    meaning: 'homefaas.json puts the CA where there is none, while CA files exist at other known paths.',
    hint: 'Set ca.certPath and ca.keyPath in homefaas.json to the existing CA, or run `npx nx g ca --rotate` to create one where homefaas.json says.',
  },
  ERR_CA_PATHS: {
    area: 'CA',
    meaning: 'homefaas.json gives ca.certPath and ca.keyPath the same file.',
    hint: 'Give each its own file: the certificate is committed, the key never is.',
  },
  ERR_CA_UNREADABLE: {
    area: 'CA',
    meaning: 'A CA file is there but cannot be read.',
    hint: 'Fix the owner or mode of the file (`ls -l infra/ca`), then run again.',
  },
  ERR_CA_NOT_PEM: {
    area: 'CA',
    meaning: 'The CA certificate file is empty, binary (DER) or not a PEM certificate.',
    hint: 'Restore it (`git checkout -- infra/ca/homeCA.pem`), or convert a DER file with `openssl x509 -inform der -in FILE -out FILE.pem`.',
  },
  ERR_CA_CORRUPT: {
    area: 'CA',
    meaning: 'The CA certificate file is truncated or damaged.',
    hint: 'Restore it from version control or a backup; `npx nx g ca --rotate` replaces the CA if it cannot be restored.',
  },
  ERR_CA_NOT_CA: {
    area: 'CA',
    meaning: 'The certificate given as the CA is not a CA (no basicConstraints CA:TRUE).',
    hint: 'Point ca.certPath at the root CA certificate, not a server certificate, or create a CA with `npx nx g ca --rotate`.',
  },
  ERR_CA_UNSUPPORTED: {
    area: 'CA',
    meaning: 'The CA certificate cannot sign: it must be an RSA certificate in PEM.',
    hint: 'Use a CA made by `npx nx g ca`, or adopt an RSA CA with `--importCert` and `--importKey`.',
  },
  ERR_CA_EXPIRED: {
    area: 'CA',
    meaning: 'The CA certificate has expired.',
    hint: 'Replace it with `npx nx g ca --rotate`, then make every OpenFaaS host trust the new CA (`npx nx g node-trust`).',
  },
  ERR_CA_KEY_NOT_PEM: {
    area: 'CA',
    meaning: 'The CA key file is empty, binary or not a PEM private key.',
    hint: 'Point ca.keyPath at the CA private key (are ca.certPath and ca.keyPath swapped?), or restore the key from your backup.',
  },
  ERR_CA_KEY_CORRUPT: {
    area: 'CA',
    meaning: 'The CA key file is truncated or damaged, whatever the passphrase.',
    hint: 'Restore the key from your backup; if there is none, `npx nx g ca --rotate` creates a new CA.',
  },
  ERR_CA_PASSPHRASE: {
    area: 'CA',
    meaning: 'The passphrase does not decrypt the key: it is wrong, or the encrypted key is damaged.',
    hint: 'Give the passphrase the key was encrypted with in HOMEFAAS_CA_PASSPHRASE (or HOMEFAAS_CA_PASSPHRASE_FILE).',
  },
  ERR_CA_PASSPHRASE_EMPTY: {
    area: 'CA',
    meaning: 'A key was to be encrypted with an empty passphrase.',
    hint: 'Give a non-empty passphrase in HOMEFAAS_CA_PASSPHRASE (or HOMEFAAS_CA_PASSPHRASE_FILE).',
  },
  ERR_CA_MISMATCH: {
    area: 'CA',
    meaning: 'The CA key does not belong to the CA certificate.',
    hint: 'Give the key of this certificate (pairs replaced by `npx nx g ca --rotate` are kept in an old/ folder next to them), or replace the pair with `npx nx g ca --rotate`.',
  },
  ERR_CA_KEY_BITS: {
    area: 'CA',
    meaning: 'The CA key size is not supported.',
    hint: 'Use 3072 or 4096 bits.',
  },
  ERR_CA_COMMON_NAME: {
    area: 'CA',
    meaning: 'The CA common name is empty, too long or holds characters a certificate cannot carry.',
    hint: 'Give a name people recognise, at most 64 characters, e.g. `--commonName "homefaas CA"`.',
  },
  ERR_CA_CONSTRAINTS: {
    area: 'CA',
    meaning: 'The CA was asked for with an empty list of permitted domains.',
    hint: 'Give the domains the CA may sign (e.g. `--permittedDomains home.lan,home.arpa`), or "none" for an unconstrained CA.',
  },
  ERR_CA_IMPORT: {
    area: 'CA',
    meaning: 'The CA to adopt is incomplete, unreadable, not a PEM CA certificate, or expired.',
    hint: 'Give the root CA certificate in PEM with `--importCert FILE` and its key with `--importKey FILE`; for an expired CA, create a new one with `npx nx g ca --rotate`.',
  },
  ERR_CA_IMPORT_MISMATCH: {
    area: 'CA',
    meaning: 'The key given with --importKey does not belong to the certificate given with --importCert.',
    hint: 'Give the key of that CA certificate.',
  },

  ERR_CERT_DNS_NAME: {
    area: 'Certificates and keys',
    meaning:
      'A DNS name for a certificate or a constraint is not a host name, or has a wildcard where none may be.',
    hint: 'Give host names such as registry.home.lan; a wildcard only as the leftmost label of `--altNames` (e.g. "*.fn.home.lan").',
  },
  ERR_CERT_IP: {
    area: 'Certificates and keys',
    meaning: 'An IP address for a certificate is not an IPv4 or IPv6 address.',
    hint: 'Give addresses like 192.168.1.20 or fd00::20, separated by commas.',
  },
  ERR_CERT_CIDR: {
    area: 'Certificates and keys',
    meaning: 'An IP range for the CA constraints is not in CIDR notation, or has host bits set.',
    hint: 'Give ranges like 192.168.0.0/16 or 127.0.0.1/32, separated by commas.',
  },
  ERR_CERT_NO_NAMES: {
    area: 'Certificates and keys',
    meaning: 'A server certificate was asked for without any DNS name or IP address.',
    hint: 'Give the host name clients connect to, and `--ip` for addresses.',
  },
  ERR_CERT_COMMON_NAME: {
    area: 'Certificates and keys',
    meaning: 'A certificate common name is empty, too long or holds characters a certificate cannot carry.',
    hint: 'Give a name of at most 64 characters, such as the host name.',
  },
  ERR_CERT_DAYS: {
    area: 'Certificates and keys',
    meaning: 'A certificate validity is not a whole number of days in range.',
    hint: 'A server certificate: 1 to 825 days (Apple platforms reject longer ones; 397 is the default). A CA: usually 3650.',
  },
  ERR_CERT_KEY_BITS: {
    area: 'Certificates and keys',
    meaning: 'The server certificate key size is not supported.',
    hint: 'Use 2048 to 8192 bits.',
  },
  ERR_CERT_CONSTRAINTS: {
    area: 'Certificates and keys',
    meaning: "The names asked for are outside the CA's name constraints.",
    hint: "Use names inside the CA's permitted domains and ranges, or replace the CA with one that permits them (`npx nx g ca --rotate --permittedDomains ... --permittedIps ...`).",
  },
  ERR_CERT_PARSE: {
    area: 'Certificates and keys',
    meaning: 'Text given as a certificate is not a PEM certificate, or does not parse.',
    hint: 'Give the certificate in PEM; convert DER with `openssl x509 -inform der -in FILE -out FILE.pem`.',
  },
  ERR_KEY_PARSE: {
    area: 'Certificates and keys',
    meaning: 'Text given as a private key is not a PEM private key.',
    hint: 'Give the private key in PEM (BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY).',
  },
  ERR_KEY_CORRUPT: {
    area: 'Certificates and keys',
    meaning: 'A private key is truncated or damaged.',
    hint: 'Restore the key from your backup, or issue a new key and certificate.',
  },
  ERR_KEY_ENCRYPTED: {
    area: 'Certificates and keys',
    meaning: 'A private key is encrypted and no passphrase was given for it.',
    hint: 'Give its passphrase, or decrypt the key first (`openssl pkey -in KEY -out PLAIN-KEY`).',
  },

  ERR_REGISTRY_URL: {
    area: 'Registry',
    meaning: 'The registry URL is not an https:// URL, or carries credentials.',
    hint: 'Give the registry as https://host:port (e.g. https://docker-registry.home.lan:5000), and the credentials apart.',
  },
  ERR_REGISTRY_CA: {
    area: 'Registry',
    meaning: 'The CA given for the registry is not a PEM certificate.',
    hint: 'Give the content of the CA certificate file (infra/ca/homeCA.pem), not its path or its key.',
  },
  ERR_REGISTRY_HOST: {
    area: 'Registry',
    meaning: 'The registry host given to `nx g registry` is a wildcard.',
    hint: 'Give the one name clients use, e.g. `--host docker-registry.home.lan`.',
  },
  ERR_REGISTRY_PORT: {
    area: 'Registry',
    meaning: 'The registry port given to `nx g registry` is not a TCP port.',
    hint: 'Give a whole number from 1 to 65535, e.g. `--port 5000`.',
  },
  ERR_REGISTRY_USER: {
    area: 'Registry',
    meaning: 'The registry user given to `nx g registry` is not a valid htpasswd user name.',
    hint: 'Give a name without ":" or spaces, e.g. `--user homefaas`.',
  },
  ERR_REGISTRY_NAME: {
    area: 'Registry',
    meaning: 'A repository name, tag or digest is not valid for a registry.',
    hint: 'Use lower-case path parts such as homefaas/hello, and a tag such as 1.0.0 or a digest sha256:<64 hex>.',
  },
  ERR_REGISTRY_HOST_UNRESOLVED: {
    area: 'Registry',
    meaning: 'The registry host name does not resolve on this machine.',
    hint: 'Add "127.0.0.1 <host>" (or the LAN address of the registry machine) to /etc/hosts, or give the host a DNS entry on your router.',
  },
  ERR_REGISTRY_DNS: {
    area: 'Registry',
    meaning: 'A request to the registry failed: its host name does not resolve.',
    hint: 'Add "127.0.0.1 <host>" (or the LAN address of the registry machine) to /etc/hosts, or give the host a DNS entry on your router.',
  },
  ERR_REGISTRY_REFUSED: {
    area: 'Registry',
    meaning: 'The registry refused the connection: nothing listens on its port.',
    hint: 'Start the registry: `npx nx run infra:registry-up`.',
  },
  ERR_REGISTRY_TIMEOUT: {
    area: 'Registry',
    meaning: 'The registry did not answer in time.',
    hint: 'Check that the registry is running and reachable from here (`npx nx run infra:doctor`).',
  },
  ERR_REGISTRY_UNTRUSTED: {
    area: 'Registry',
    meaning: 'The certificate the registry serves is not signed by the CA given.',
    hint: 'Issue the registry certificate from the workspace CA (`npx nx run infra:registry-up`) and restart the registry, or give the CA that signed it.',
  },
  ERR_REGISTRY_HOSTNAME: {
    area: 'Registry',
    meaning: 'The certificate the registry serves does not name the host used to reach it.',
    hint: 'Issue the registry certificate with that host among its names (`npx nx g certificate`), or use a name it lists.',
  },
  ERR_REGISTRY_EXPIRED: {
    area: 'Registry',
    meaning: 'The certificate the registry serves has expired or is not valid yet.',
    hint: "Check this machine's clock; then issue a new registry certificate (`npx nx run infra:registry-up`).",
  },
  ERR_REGISTRY_TLS_HANDSHAKE: {
    area: 'Registry',
    meaning: 'The registry port completed no TLS handshake, or presented no certificate.',
    hint: 'Check that the registry serves TLS on that port (`docker logs docker-registry`), then run `npx nx run infra:registry-up`.',
  },
  ERR_REGISTRY_CERT_NOT_SERVED: {
    area: 'Registry',
    meaning: 'The registry container, once restarted, still does not serve the expected certificate.',
    hint: "See which folder the container mounts on /certs (`docker inspect -f '{{json .Mounts}}' docker-registry`) and its log (`docker logs docker-registry`).",
  },
  ERR_REGISTRY_CONTAINER_DIFFERS: {
    area: 'Registry',
    meaning: 'A container with the registry name is not the expected registry; it was left as it is.',
    hint: 'Run `npx nx run infra:registry-up --recreate` to replace it (infra/registry/data/ is kept), or remove it yourself (`docker rm -f docker-registry`).',
  },
  ERR_REGISTRY_NOT_READY: {
    area: 'Registry',
    meaning: 'The registry container stopped, or /v2/ did not answer in time after a start.',
    hint: 'Read the registry log (`docker logs docker-registry`), then run `npx nx run infra:registry-up`.',
  },
  ERR_REGISTRY_NO_AUTH: {
    area: 'Registry',
    meaning: 'The registry answers without asking for credentials (it runs without htpasswd auth).',
    hint: 'Recreate it with the expected settings: `npx nx run infra:registry-up --recreate`.',
  },
  ERR_REGISTRY_AUTH: {
    area: 'Registry',
    meaning: 'The registry refused the credentials, or asked for a login, or denied access.',
    hint: 'Check the registry user and REGISTRY_PASSWORD (or REGISTRY_PASSWORD_FILE) against the htpasswd file infra/registry/auth/registry.password (`npx nx g registry` sets it).',
  },
  ERR_REGISTRY_PASSWORD_MISMATCH: {
    area: 'Registry',
    meaning:
      "The password given is not the registry user's password in the htpasswd file, which is left untouched.",
    hint: 'Check REGISTRY_PASSWORD (or REGISTRY_PASSWORD_FILE). To change it on purpose, run `npx nx run infra:registry-up --changePassword`, then update the OpenFaaS hosts (`npx nx g node-trust`).',
  },
  ERR_REGISTRY_NOT_FOUND: {
    area: 'Registry',
    meaning: 'The registry has no such repository, tag or digest.',
    hint: 'Check the repository name and the tag or digest, and that it was pushed to this registry.',
  },
  ERR_REGISTRY_DIGEST: {
    area: 'Registry',
    meaning: 'Content sent to or read from the registry does not match its digest, or a digest is malformed.',
    hint: "The content changed in transit or the registry's storage is damaged: try again, then check the registry.",
  },
  ERR_REGISTRY_HTTP: {
    area: 'Registry',
    meaning: 'The registry or its token service gave an answer no registry should, or the request failed.',
    hint: 'Check that the URL points at a running Docker/OCI registry (`npx nx run infra:doctor`) and read its log (`docker logs docker-registry`).',
  },
  ERR_REGISTRY_UNREACHABLE: {
    area: 'Registry',
    meaning: 'A CI runner cannot use the registry.',
    hint: 'A runner uses the registry of the machine that owns the CA: check that it is up there (`npx nx run infra:doctor`), and that REGISTRY_PASSWORD (or REGISTRY_PASSWORD_FILE) is set on the runner.',
  },
  ERR_HTPASSWD_FORMAT: {
    area: 'Registry',
    meaning: "A line of the registry's htpasswd file is not user:bcrypt-hash.",
    hint: "Fix or delete the line, then set that user's password again with bcrypt (`npx nx g registry`, or `htpasswd -B`).",
  },
  ERR_HTPASSWD_USER: {
    area: 'Registry',
    meaning: 'A name cannot be an htpasswd user name.',
    hint: 'Use a non-empty name without ":", whitespace or control characters, not starting with "#".',
  },
  ERR_HTPASSWD_PASSWORD: {
    area: 'Registry',
    meaning: 'The registry password is empty, or longer than the 72 bytes bcrypt uses.',
    hint: 'Choose a non-empty password of at most 72 bytes.',
  },
  ERR_HTPASSWD_COST: {
    area: 'Registry',
    meaning: 'The bcrypt cost is out of range.',
    hint: 'Use a whole number from 4 to 31.',
  },

  ERR_DOCKER_UNAVAILABLE: {
    area: 'Docker',
    meaning: 'The Docker daemon does not answer, or this user may not use its socket.',
    hint: 'Start Docker (`sudo systemctl start docker`, or Docker Desktop) or set DOCKER_HOST; if access is denied, add your user to the docker group and log in again.',
  },
  ERR_DOCKER_API: {
    area: 'Docker',
    meaning: "The Docker daemon failed a request; Docker's own message says why.",
    hint: "Fix what Docker's message names, then run again.",
  },
  ERR_DOCKER_IMAGE_UNAVAILABLE: {
    area: 'Docker',
    meaning: 'An image needed to run a container is not here and could not be pulled.',
    hint: 'Pull or load it yourself (`docker pull IMAGE`), or configure an image you have.',
  },
  ERR_DOCKER_LOGIN: {
    area: 'Docker',
    meaning: '`docker login` to the registry failed.',
    hint: "Check that the registry is up and trusted (`npx nx run infra:doctor`), and Docker's credential helper.",
  },
  ERR_DOCKER_CONFIG: {
    area: 'Docker',
    meaning: "Docker's config.json is not a JSON object.",
    hint: "Fix or remove ~/.docker/config.json (it holds Docker's registry logins).",
  },
  ERR_DOCKER_TRUST_NOT_WRITABLE: {
    area: 'Docker',
    meaning: "The CA cannot be written into Docker's certs.d folder for the registry.",
    hint: 'Run the `sudo install ...` command the message shows from the workspace root, then run again.',
  },
  ERR_COMMAND_NOT_FOUND: {
    area: 'Docker',
    meaning: 'A command homefaas runs (docker, buildx, ssh) is not installed or not on PATH.',
    hint: "Install it (see the README's setup command), then run again.",
  },
  ERR_COMMAND_FAILED: {
    area: 'Docker',
    meaning: 'A command could not be started.',
    hint: "Fix what the system's message names (permissions, a missing folder), then run again.",
  },
  ERR_IMAGE_REFERENCE: {
    area: 'Docker',
    meaning: 'An image option is not an image reference.',
    hint: 'Give one such as registry:2 or my-registry.lan:5000/team/registry:2.8.',
  },

  ERR_BUILDER_CREATE: {
    area: 'Builder trust',
    meaning: 'A buildx command that creates or changes the builder failed.',
    hint: 'Check that Docker is running and buildx is installed (`docker buildx version`).',
  },
  ERR_BUILDER_STATE: {
    area: 'Builder trust',
    meaning: "buildx's record of the builder is not JSON.",
    hint: 'Remove the builder with `docker buildx rm NAME`, then run again.',
  },
  ERR_BUILDER_TRUST: {
    area: 'Builder trust',
    meaning: 'The builder was created but does not trust the CA for the registry.',
    hint: 'Check infra/buildkit/buildkitd.toml and that buildx reads the config folder homefaas uses.',
  },
  ERR_BUILDKIT_CONFIG_UNSUPPORTED: {
    area: 'Builder trust',
    meaning: 'The buildkitd config names the registry in a form homefaas does not edit.',
    hint: 'Rewrite it as a [registry."host:port"] table with ca = ["path"], then run again.',
  },
  ERR_BUILDER_NOT_RUNNING: {
    area: 'Builder trust',
    meaning: 'The builder has no container to fix, and cannot be made to trust the CA otherwise.',
    hint: 'Recreate it (`docker buildx rm NAME && docker buildx create --name NAME --driver docker-container`), or start it (`docker buildx inspect --bootstrap NAME`) and run again.',
  },
  ERR_BUILDER_CONTAINER_MISSING: {
    area: 'Builder trust',
    meaning: 'There is no container of the given name.',
    hint: 'Start the builder once (`docker buildx inspect --bootstrap NAME`), or name its container with `--container`.',
  },
  ERR_BUILDER_CA_UPDATE: {
    area: 'Builder trust',
    meaning: 'update-ca-certificates failed inside the builder container.',
    hint: 'Recreate the builder with a buildkitd config that names the CA (builder.driver docker-container in homefaas.json).',
  },
  ERR_BUILDER_CA_VERIFY: {
    area: 'Builder trust',
    meaning: "The builder container's CA bundle still lacks the CA after the update.",
    hint: 'Recreate the builder with a buildkitd config that names the CA (`docker buildx create --buildkitd-config`).',
  },

  ERR_FUNCTION_PROJECT: {
    area: 'Function',
    meaning: 'A function executor ran for a project that is not a function.',
    hint: 'Run it as `npx nx run <function>:<target>`.',
  },
  ERR_FUNCTION_EXISTS: {
    area: 'Function',
    meaning: 'A folder or an Nx project of the new function name already exists.',
    hint: 'Choose another name, or remove the folder first.',
  },
  ERR_FUNCTION_LANG: {
    area: 'Function',
    meaning: 'The lang of the new function is unknown.',
    hint: 'Use one of the langs the message lists.',
  },
  ERR_FUNCTION_PLATFORMS: {
    area: 'Function',
    meaning: 'The platforms of the new function are not a list of platforms.',
    hint: 'Give a comma-separated list such as linux/amd64,linux/arm64,linux/arm/v7.',
  },
  ERR_FUNCTION_LIMIT: {
    area: 'Function',
    meaning: 'A memory or CPU limit of the new function is not a Kubernetes quantity.',
    hint: 'Give memory like 128Mi or 1Gi, CPU like 100m or 0.5.',
  },
  ERR_FUNCTION_PACKAGE_NAME: {
    area: 'Function',
    meaning: "A function folder's package.json gives the package a name other than the function's.",
    hint: "Give the package the function's name: the Nx project takes the package's name.",
  },
  ERR_BUILD_HANDLER: {
    area: 'Function',
    meaning: 'The handler file of the function does not exist.',
    hint: "Export the handler from src/handler.ts (or set the build target's `handler` option).",
  },
  ERR_BUILD_TEMPLATE: {
    area: 'Function',
    meaning: "The function's template lacks its package.json (with a name) or its Dockerfile.",
    hint: "Check the function's `lang`: it names a folder under template/.",
  },
  ERR_BUILD_BUNDLE: {
    area: 'Function',
    meaning: 'esbuild could not bundle the function.',
    hint: "Fix the errors esbuild printed; a package with native code can be listed in the build target's `external` option.",
  },
  ERR_BUILD_EXTERNAL: {
    area: 'Function',
    meaning: "An external dependency is neither in the function's package.json nor installed.",
    hint: "Add it to the function's package.json dependencies and run npm install.",
  },
  ERR_BUILD_CONTEXT_EMPTY: {
    area: 'Function',
    meaning: 'The build context of the image has no files.',
    hint: 'Build the function first (`npx nx run <fn>:build`), or leave out `--contextPath`.',
  },
  ERR_DOCKERFILE_NO_FROM: {
    area: 'Function',
    meaning: 'The Dockerfile of the build context has no FROM line.',
    hint: "Fix the Dockerfile of the function's template (template/<lang>/Dockerfile).",
  },
  ERR_SERVE_BUNDLE: {
    area: 'Function',
    meaning: '`serve` could not bundle the function.',
    hint: 'Fix the errors printed, then start serve again.',
  },
  ERR_SERVE_START: {
    area: 'Function',
    meaning: '`serve` started the function but it exited or did not answer its health check in time.',
    hint: 'Read its output; another process may already use the port (choose one with `--port`).',
  },

  ERR_IMAGE_CONTEXT: {
    area: 'Image',
    meaning: 'The image of a function has no build context, or the context has no Dockerfile.',
    hint: "Check the function's `lang`: it names a folder under template/ with a Dockerfile.",
  },
  ERR_IMAGE_BUILD: {
    area: 'Image',
    meaning: "buildx did not build or push the function's image.",
    hint: "Read buildx's output for the function's target and fix the cause, then publish again: images already pushed are not built again.",
  },

  ERR_GATEWAY_URL: {
    area: 'Deploy and gateway',
    meaning: 'The gateway URL is not an http:// or https:// URL, or carries credentials.',
    hint: 'Set OPENFAAS_URL (or provider.gateway in stack.yml) to e.g. http://127.0.0.1:8080; credentials go in OPENFAAS_USERNAME and OPENFAAS_PASSWORD.',
  },
  ERR_GATEWAY_PASSWORD_FILE: {
    area: 'Deploy and gateway',
    meaning: 'The file OPENFAAS_PASSWORD_FILE names is missing or empty.',
    hint: 'Point OPENFAAS_PASSWORD_FILE at a file holding the gateway password, or set OPENFAAS_PASSWORD.',
  },
  ERR_GATEWAY_FAAS_CLI_CONFIG: {
    area: 'Deploy and gateway',
    meaning: "faas-cli's config file is not valid YAML.",
    hint: 'Run `faas-cli login` again, or set OPENFAAS_USERNAME and OPENFAAS_PASSWORD.',
  },
  ERR_GATEWAY_UNREACHABLE: {
    area: 'Deploy and gateway',
    meaning: 'The gateway cannot be reached.',
    hint: 'Check OPENFAAS_URL (or provider.gateway in stack.yml) and that the gateway is running.',
  },
  ERR_GATEWAY_TLS: {
    area: 'Deploy and gateway',
    meaning: 'The gateway certificate is not trusted, not valid now, or does not name the host of the URL.',
    hint: 'Pass the CA that signed the gateway certificate (e.g. infra/ca/homeCA.pem), use the host name it names, or renew it (`npx nx g certificate`).',
  },
  ERR_GATEWAY_AUTH: {
    area: 'Deploy and gateway',
    meaning: 'The gateway answered 401: no credentials were sent, or they were refused.',
    hint: 'Set OPENFAAS_USERNAME and OPENFAAS_PASSWORD (or OPENFAAS_PASSWORD_FILE), or run `faas-cli login`.',
  },
  ERR_GATEWAY_HTTP: {
    area: 'Deploy and gateway',
    meaning: 'The gateway gave an answer no OpenFaaS gateway gives, or kept failing after retries.',
    hint: 'Check that the URL points at an OpenFaaS gateway and read its logs (faasd: `journalctl -u faasd-provider`; Kubernetes: `kubectl logs -n openfaas deploy/gateway`).',
  },
  ERR_GATEWAY_REJECTED: {
    area: 'Deploy and gateway',
    meaning: 'The gateway refused a request; its answer is in the message.',
    hint: "Fix what the gateway's answer names (more than 15 functions on a Community Edition is one such limit), then publish again.",
  },
  ERR_GATEWAY_FUNCTION_EXISTS: {
    area: 'Deploy and gateway',
    meaning: 'The function appeared between the update that found it missing and the create.',
    hint: 'Another deploy of the same function ran at the same time: publish again.',
  },
  ERR_GATEWAY_PUBLIC_IMAGES_ONLY: {
    area: 'Deploy and gateway',
    meaning:
      'The gateway runs OpenFaaS Community Edition on Kubernetes, which deploys only public images, and the image needs registry credentials; nothing was deployed.',
    hint: 'Deploy to faasd (`npx nx g node-trust --runtime faasd`) or an OpenFaaS edition that supports private registries (`npx nx g node-trust --runtime kubernetes`).',
  },
  ERR_GATEWAY_NOT_READY: {
    area: 'Deploy and gateway',
    meaning: 'The deployed function had no ready replica within the ready timeout.',
    hint: 'See why it does not start (faasd: `journalctl -t openfaas-fn:<fn>`; Kubernetes: `kubectl describe deploy/<fn> -n openfaas-fn`); an image pull error means the host lacks the registry CA or credentials (`npx nx g node-trust`).',
  },
  ERR_DEPLOY_MISSING: {
    area: 'Deploy and gateway',
    meaning: 'The gateway accepted the deployment, then did not list the function.',
    hint: 'The provider failed after accepting it: read its log (faasd: `journalctl -u faasd-provider`), fix the cause, publish again.',
  },
  ERR_DEPLOY_IMAGE_MISMATCH: {
    area: 'Deploy and gateway',
    meaning: 'The gateway accepted the update, but the function still runs another image.',
    hint: "Read the gateway's and provider's logs for why the update was refused (Kubernetes: `kubectl logs -n openfaas deploy/gateway -c faas-netes`), fix it, publish again.",
  },
  ERR_SECRET_FILE_MISSING: {
    area: 'Deploy and gateway',
    meaning: 'stack.yml names a secret whose value file cannot be read.',
    hint: 'Write its value into the file the message names (the folder is git-ignored).',
  },

  ERR_CONFIG_PARSE: {
    area: 'Configuration and stack.yml',
    meaning: 'homefaas.json is not valid JSON.',
    hint: 'Fix its syntax, or delete it to use the defaults.',
  },
  ERR_CONFIG_INVALID: {
    area: 'Configuration and stack.yml',
    meaning: 'homefaas.json has fields of the wrong type or value; the message lists each.',
    hint: 'Fix each field listed.',
  },
  ERR_STACK_MISSING: {
    area: 'Configuration and stack.yml',
    meaning: 'There is no stack.yml at the workspace root.',
    hint: 'Create a function with `npx nx g new-function <name>`, which adds it to stack.yml.',
  },
  ERR_STACK_PARSE: {
    area: 'Configuration and stack.yml',
    meaning: 'stack.yml is not valid YAML.',
    hint: 'Fix the YAML syntax of stack.yml.',
  },
  ERR_STACK_INVALID: {
    area: 'Configuration and stack.yml',
    meaning: 'stack.yml has fields of the wrong type or value; the message lists each.',
    hint: 'Fix each field listed; a stack file starts with version: 1.0, provider: {name: openfaas} and functions:.',
  },
  ERR_STACK_EXISTS: {
    area: 'Configuration and stack.yml',
    meaning: 'stack.yml already has a function of that name.',
    hint: 'Choose another name, or remove the existing entry first.',
  },
  ERR_STACK_FUNCTION_NAME: {
    area: 'Configuration and stack.yml',
    meaning: 'A function name is not a valid OpenFaaS function name.',
    hint: "Use lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. hello-world).",
  },
  ERR_STACK_FUNCTION_NOT_FOUND: {
    area: 'Configuration and stack.yml',
    meaning: 'The function is not in stack.yml.',
    hint: 'Check the name against stack.yml, or add the function with `npx nx g new-function <name>`.',
  },
  ERR_STACK_HANDLER: {
    area: 'Configuration and stack.yml',
    meaning: 'stack.yml gives a function a handler folder that does not exist.',
    hint: "Point handler at the function's folder (./functions/<fn>).",
  },
  ERR_STACK_LANG: {
    area: 'Configuration and stack.yml',
    meaning: 'stack.yml gives a function a lang that has no folder under template/.',
    hint: 'Use the name of a folder under template/, or add the template.',
  },
  ERR_STACK_TEMPLATE: {
    area: 'Configuration and stack.yml',
    meaning: "A template's template.yml cannot be read or is not a map.",
    hint: 'Check the lang (it names template/<lang>), or pull the template (`faas-cli template pull`).',
  },
  ERR_STACK_ENV_FILE: {
    area: 'Configuration and stack.yml',
    meaning: 'An environment_file named in stack.yml cannot be read or is not valid YAML.',
    hint: 'Fix the path (relative to the workspace root) or the file.',
  },
  ERR_STACK_IMAGE: {
    area: 'Configuration and stack.yml',
    meaning: "A function's image in stack.yml is pinned by digest; publish needs a tag to push.",
    hint: 'Write the image in stack.yml as registry/name:tag.',
  },
  ERR_OPTION_INVALID: {
    area: 'Configuration and stack.yml',
    meaning: 'An option or setting is out of range or of the wrong form (a port, a timeout, a tag, a name).',
    hint: 'Give the value the message asks for.',
  },

  ERR_SECRET_MISSING: {
    area: 'Secrets and files',
    meaning: 'A password or passphrase is needed and none was given, and there is no terminal to ask on.',
    hint: 'Set the variable the message names (such as REGISTRY_PASSWORD or HOMEFAAS_CA_PASSPHRASE), or its _FILE variable to the path of a file that holds it.',
  },
  ERR_SECRET_FILE: {
    area: 'Secrets and files',
    meaning: 'The file a *_FILE variable names cannot be read.',
    hint: 'Point the variable at a readable file, or set the secret variable itself.',
  },
  ERR_SECRET_EMPTY: {
    area: 'Secrets and files',
    meaning: 'The file a *_FILE variable names is empty.',
    hint: 'Write the secret into the file, or set the secret variable itself.',
  },
  ERR_SECRET_MISMATCH: {
    area: 'Secrets and files',
    meaning: 'The two entries of a new secret typed at the prompt differ.',
    hint: 'Run the command again and type the same value twice.',
  },
  ERR_SECRET_ABORTED: {
    area: 'Secrets and files',
    meaning: 'Reading a secret at the prompt was interrupted.',
    hint: 'Run the command again, or give the secret through its variable.',
  },
  ERR_FILE_READ: {
    area: 'Secrets and files',
    meaning: 'A file cannot be read (permissions, a folder in the way, a disk error).',
    hint: 'Check the file and its folder (`ls -l`), then run again.',
  },
  ERR_FILE_WRITE: {
    area: 'Secrets and files',
    meaning: 'A file cannot be written (permissions, a read-only or full file system).',
    hint: 'Check that the folder is writable and has space (`ls -l`, `df -h`), then run again.',
  },
  ERR_FILE_EXISTS: {
    area: 'Secrets and files',
    meaning: 'A file that is never replaced (a CA key or certificate) is already there.',
    hint: 'Nothing was lost. Move the file aside yourself if it is no longer needed, then run again.',
  },
  ERR_LOCK_TIMEOUT: {
    area: 'Secrets and files',
    meaning: "Another publish of this workspace held the workspace's publish lock for too long.",
    hint: 'Let the other publish finish; if none is running, remove the lock file the message names.',
  },

  ERR_NODE_TRUST_RUNTIME: {
    area: 'Generators and checks',
    meaning: 'The runtime given to `nx g node-trust` is not supported.',
    hint: 'Use one of faasd, k3s, containerd, kubernetes.',
  },
  ERR_NODE_TRUST_NODE: {
    area: 'Generators and checks',
    meaning: 'The node given to `nx g node-trust` is not an ssh target.',
    hint: 'Give user@host, e.g. `--node pi@faasd.home.lan`.',
  },
  ERR_NODE_TRUST_NAME: {
    area: 'Generators and checks',
    meaning:
      'A namespace, secret or service account name given to `nx g node-trust` is not a Kubernetes name.',
    hint: "Use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit.",
  },
  ERR_IMPORT_SOURCE: {
    area: 'Generators and checks',
    meaning: 'There is no faas-cli stack file at the path given to `nx g import-stack`.',
    hint: 'Give the path of the stack file (such as ../my-functions/stack.yml) or of the folder that holds it.',
  },
  ERR_IMPORT_CLASH: {
    area: 'Generators and checks',
    meaning: 'What would be imported clashes with the workspace; nothing was written.',
    hint: 'Rename or remove what clashes (in the workspace or the faas-cli stack file), then import again.',
  },
  ERR_IMPORT_PACKAGE_JSON: {
    area: 'Generators and checks',
    meaning: 'A package.json of the faas-cli project is not a JSON object.',
    hint: 'Fix it in the faas-cli project, then import again.',
  },
  ERR_IMPORT_ENV_FILE: {
    area: 'Generators and checks',
    meaning: 'An environment_file of the faas-cli stack is outside its project folder or cannot be read.',
    hint: "Move it into the project folder (paths are relative to the stack file's folder), then import again.",
  },
  ERR_DOCTOR_FAILED: {
    area: 'Generators and checks',
    meaning: '`nx run infra:doctor` found at least one failed check.',
    hint: 'Fix each failed check as its line says, then run the doctor again.',
  },
} satisfies Record<`ERR_${string}`, ErrorCodeInfo>;

/** A code of {@link ERROR_CODES}: a typo in a code does not compile. */
export type ErrorCode = keyof typeof ERROR_CODES;
