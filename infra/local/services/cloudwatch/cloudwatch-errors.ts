/**
 * CloudWatch errors carry two names: the Smithy shape (the JSON 1.0 `__type`, e.g.
 * `InvalidParameterValueException`) and the query-protocol code (`InvalidParameterValue`),
 * which JSON clients read from the `x-amzn-query-error` header (awsQueryCompatible).
 * Pairs and statuses as in @aws-sdk/client-cloudwatch's error schemas.
 */
export class CloudWatchError extends Error {
  constructor(
    readonly shape: string,
    readonly queryCode: string,
    readonly status: number,
    message: string,
    readonly extra: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'CloudWatchError';
  }
}

export const cloudWatchErrors = {
  /** Alarm operations (SetAlarmState, DeleteAlarms) name a missing alarm with this one. */
  alarmNotFound: (message: string) =>
    new CloudWatchError('ResourceNotFound', 'ResourceNotFound', 404, message),
  /** Tagging operations name a missing resource with this one. */
  resourceNotFound: (resourceType: string, resourceId: string, message: string) =>
    new CloudWatchError('ResourceNotFoundException', 'ResourceNotFoundException', 404, message, {
      ResourceType: resourceType,
      ResourceId: resourceId,
    }),
  invalidParameterValue: (message: string) =>
    new CloudWatchError('InvalidParameterValueException', 'InvalidParameterValue', 400, message),
  missingParameter: (message: string) =>
    new CloudWatchError('MissingRequiredParameterException', 'MissingParameter', 400, message),
  invalidParameterCombination: (message: string) =>
    new CloudWatchError('InvalidParameterCombinationException', 'InvalidParameterCombination', 400, message),
  invalidFormat: (message: string) =>
    new CloudWatchError('InvalidFormatFault', 'InvalidFormat', 400, message),
  invalidNextToken: (message: string) =>
    new CloudWatchError('InvalidNextToken', 'InvalidNextToken', 400, message),
  validation: (message: string) =>
    new CloudWatchError('ValidationException', 'ValidationError', 400, message),
  invalidAction: (message: string) => new CloudWatchError('InvalidAction', 'InvalidAction', 400, message),
  serialization: (message: string) =>
    new CloudWatchError('SerializationException', 'MalformedQueryString', 400, message),
} as const;
