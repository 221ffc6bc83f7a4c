// Child processes started with fork() get no TypeScript loader: register tsx, then load the task.
import { register } from 'tsx/esm/api';

register();
await import('./foreign-writer.ts');
