export {
  costOf,
  DEFAULT_BCRYPT_COST,
  type HtpasswdEntry,
  hasUser,
  parseHtpasswd,
  removeUser,
  type SetUserOptions,
  setUser,
  verifyUser,
} from './htpasswd';
