export { DEFAULT_NAME, greet } from './greet';
