// The plugin's entry (package.json `main`), which nx.json `plugins` loads: its project inference.
export { createNodes } from './graph/create-nodes';
