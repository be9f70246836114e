import * as pulumi from '@pulumi/pulumi';

/**
 * The stage the cluster is in, as the last update of this stack recorded it: the stack's own
 * `stage` output, read back through a StackReference to the stack itself (it reads the last
 * completed update's outputs, not the one running). Undefined before the first update, and for
 * a stack whose outputs hold no stage.
 *
 * This, not a hand-kept `stepwise:fromStage`, is what orders an update: the move is from the
 * stage the cluster is in to `stepwise:stage`, whoever edited the stack file and however.
 */
export async function recordedStage(): Promise<string | undefined> {
  const self = new pulumi.StackReference('stepwise-recorded-stage', {
    name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
  });
  const { value } = await self.getOutputDetails('stage');
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
