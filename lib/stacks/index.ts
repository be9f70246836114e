/** Stack files: `stacks/Pulumi.<stack>.yaml` holding a plan and its current stage. */
export * from './stack-config';
export * from './stack-file';
