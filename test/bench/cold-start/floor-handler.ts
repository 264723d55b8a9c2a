import { AppMeshClient, UpdateRouteCommand, type UpdateRouteCommandInput } from '@aws-sdk/client-app-mesh';

/**
 * The floor of the cold-start benchmark: the least a function that rolls a route back must
 * load (the App Mesh client and UpdateRoute), bundled with the same options as the functions.
 */
const client = new AppMeshClient({});

export const handler = async (input: UpdateRouteCommandInput) => client.send(new UpdateRouteCommand(input));
