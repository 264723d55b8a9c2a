import { wireError } from '../../protocol/wire-errors';
import type { LocalRequest, LocalResponse, LocalService, OperationResolver } from '../../types';

/** The XML namespace of every STS answer. */
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The query protocol puts the action in the form body (POST) or the query string (GET). */
function formOf(req: LocalRequest): URLSearchParams {
  if (req.method === 'GET') return req.query;
  return new URLSearchParams(req.body.toString('utf8'));
}

/**
 * STS, as far as local AWS needs it: `GetCallerIdentity` answers who signed the request,
 * which the edge has already resolved from the access key. Other actions are refused as STS
 * refuses an unknown action. The query protocol is kept to the one form field read here.
 */
export class StsService implements LocalService, OperationResolver {
  readonly signingName = 'sts';

  operationOf(req: LocalRequest): string | undefined {
    return formOf(req).get('Action') ?? undefined;
  }

  async handle(req: LocalRequest): Promise<LocalResponse> {
    const action = formOf(req).get('Action');
    if (action !== 'GetCallerIdentity') {
      const message = `Could not find operation ${action ?? '(none)'} for version 2011-06-15`;
      return wireError({ kind: 'query' }, 400, 'InvalidAction', message, req.requestId);
    }
    const { caller } = req;
    const body =
      `<GetCallerIdentityResponse xmlns="${STS_NAMESPACE}"><GetCallerIdentityResult>` +
      `<Arn>${xmlText(caller.arn)}</Arn><UserId>${xmlText(caller.userId)}</UserId>` +
      `<Account>${xmlText(caller.accountId)}</Account></GetCallerIdentityResult>` +
      `<ResponseMetadata><RequestId>${req.requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body,
      apiCall: {
        eventName: 'GetCallerIdentity',
        readOnly: true,
        responseElements: { arn: caller.arn, userId: caller.userId, account: caller.accountId },
      },
    };
  }
}
