import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { DEMO } from '../../infra/local/demo/seed';
import type { TestLocalAws } from './local-aws';

const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };

/** Set the demo route's weights as one of the demo's identities would, with UpdateRoute. */
export async function setDemoWeights(
  local: TestLocalAws,
  who: 'admin' | 'iamUser',
  stable: number,
  canary: number,
): Promise<void> {
  const mesh = new AppMeshClient(local.clientConfig(who));
  const { route } = await mesh.send(new DescribeRouteCommand(ref));
  const http = route?.spec?.httpRoute;
  if (http === undefined) throw new Error('the demo route is an HTTP route');
  await mesh.send(
    new UpdateRouteCommand({
      ...ref,
      spec: {
        ...route?.spec,
        httpRoute: {
          ...http,
          action: {
            weightedTargets: (http.action?.weightedTargets ?? []).map((t) => ({
              ...t,
              weight: t.virtualNode === DEMO.stableNode ? stable : canary,
            })),
          },
        },
      },
    }),
  );
  await local.aws.drain();
}
