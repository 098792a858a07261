export {
  type HtpasswdEntry,
  hasUser,
  parseHtpasswd,
  removeUser,
  type SetUserOptions,
  setUser,
  verifyUser,
} from './htpasswd';
