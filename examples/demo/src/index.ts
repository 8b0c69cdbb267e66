export { buildDemo } from './app.ts'
export { type DemoConfig, loadDemoConfig } from './config.ts'
