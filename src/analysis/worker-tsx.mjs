// Worker threads do not inherit tsx's loader on Node 20: when wkmp-ai runs from its TypeScript
// sources (tests, benchmarks), the pool starts workers here, which register tsx and load the task.
import { register } from 'tsx/esm/api';

register();
const { default: run } = await import('./worker.ts');
export default run;
