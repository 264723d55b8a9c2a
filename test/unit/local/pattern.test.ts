import { describe, expect, it } from 'vitest';
import { compilePattern, InvalidEventPatternError, matchesPattern } from '../../../infra/local/bus/pattern';

/**
 * Pattern cases copied from the EventBridge user guide ("Creating event patterns", "Content
 * filtering in Amazon EventBridge event patterns", "Comparison operators", "Arrays in event
 * patterns", "Matching null values and empty strings"), each with the outcome the guide states.
 * `doc` names the section. Cases marked `moto: 'differs'` are those where moto 5.2.1's matcher
 * disagrees with the guide (checked by hand when these cases were written).
 */

/** The EC2 state-change event the guide uses throughout. */
const ec2 = (detail: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail,
  ...extra,
});

interface Case {
  readonly name: string;
  readonly doc: string;
  readonly pattern: string | Record<string, unknown>;
  readonly event: Record<string, unknown>;
  readonly expected: boolean;
}

// cases:begin
const CASES: Case[] = [
  {
    name: 'source, detail-type and detail.state all match',
    doc: 'Creating event patterns',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    event: ec2({ 'instance-id': 'i-1234567890abcdef0', state: 'terminated' }),
    expected: true,
  },
  {
    name: 'one field differs: no match',
    doc: 'Creating event patterns',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    event: ec2({ 'instance-id': 'i-1234567890abcdef0', state: 'running' }),
    expected: false,
  },
  {
    name: 'any value of the array matches',
    doc: 'Creating event patterns: matching event values',
    pattern: { source: ['aws.ec2', 'aws.fargate'] },
    event: ec2({ state: 'running' }),
    expected: true,
  },
  {
    name: 'a field named in the pattern must exist in the event',
    doc: 'Creating event patterns',
    pattern: { detail: { 'instance-id': ['i-1234567890abcdef0'] } },
    event: ec2({ state: 'running' }),
    expected: false,
  },
  {
    name: 'prefix on time',
    doc: 'Content filtering: prefix matching',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    event: ec2({}, { time: '2017-10-02T18:43:48Z' }),
    expected: true,
  },
  {
    name: 'prefix on time, other day',
    doc: 'Content filtering: prefix matching',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    event: ec2({}),
    expected: false,
  },
  {
    name: 'prefix ignoring case (upper case value)',
    doc: 'Content filtering: prefix matching while ignoring case',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: ec2({ service: 'EVENTBRIDGE' }),
    expected: true,
  },
  {
    name: 'prefix ignoring case, other value',
    doc: 'Content filtering: prefix matching while ignoring case',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: ec2({ service: 'lambda' }),
    expected: false,
  },
  {
    name: 'suffix .png',
    doc: 'Content filtering: suffix matching',
    pattern: { FileName: [{ suffix: '.png' }] },
    event: ec2({}, { FileName: 'image.png' }),
    expected: true,
  },
  {
    name: 'suffix is case sensitive',
    doc: 'Content filtering: suffix matching',
    pattern: { FileName: [{ suffix: '.png' }] },
    event: ec2({}, { FileName: 'image.PNG' }),
    expected: false,
  },
  {
    name: 'suffix ignoring case',
    doc: 'Content filtering: suffix matching while ignoring case',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: ec2({ FileName: 'image.PNG' }),
    expected: true,
  },
  {
    name: 'anything-but a string, other value',
    doc: 'Content filtering: anything-but matching',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: ec2({ state: 'running' }),
    expected: true,
  },
  {
    name: 'anything-but a string, same value',
    doc: 'Content filtering: anything-but matching',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: ec2({ state: 'initializing' }),
    expected: false,
  },
  {
    name: 'anything-but a number, same value',
    doc: 'Content filtering: anything-but matching',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: ec2({ 'x-limit': 123 }),
    expected: false,
  },
  {
    name: 'anything-but a number, other value',
    doc: 'Content filtering: anything-but matching',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: ec2({ 'x-limit': 456 }),
    expected: true,
  },
  {
    name: 'anything-but a list of strings, listed value',
    doc: 'Content filtering: anything-but matching',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: ec2({ state: 'overloaded' }),
    expected: false,
  },
  {
    name: 'anything-but a list of strings, other value',
    doc: 'Content filtering: anything-but matching',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: ec2({ state: 'running' }),
    expected: true,
  },
  {
    name: 'anything-but a list of numbers, listed value',
    doc: 'Content filtering: anything-but matching',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: ec2({ 'x-limit': 200 }),
    expected: false,
  },
  {
    name: 'anything-but a list of numbers, other value',
    doc: 'Content filtering: anything-but matching',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: ec2({ 'x-limit': 250 }),
    expected: true,
  },
  {
    name: 'anything-but prefix, value with that prefix',
    doc: 'Content filtering: anything-but prefix',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: ec2({ state: 'initializing' }),
    expected: false,
  },
  {
    name: 'anything-but prefix, other value',
    doc: 'Content filtering: anything-but prefix',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: ec2({ state: 'running' }),
    expected: true,
  },
  {
    name: 'anything-but suffix, value with that suffix',
    doc: 'Content filtering: anything-but suffix',
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    event: ec2({ FileName: 'photo.png' }),
    expected: false,
  },
  {
    name: 'anything-but suffix, other value',
    doc: 'Content filtering: anything-but suffix',
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    event: ec2({ FileName: 'notes.txt' }),
    expected: true,
  },
  {
    name: 'anything-but ignoring case, other casing of the value',
    doc: 'Content filtering: anything-but ignoring case',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    event: ec2({ state: 'INITIALIZING' }),
    expected: false,
  },
  {
    name: 'anything-but ignoring case, list',
    doc: 'Content filtering: anything-but ignoring case',
    pattern: {
      detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] },
    },
    event: ec2({ state: 'Stopped' }),
    expected: false,
  },
  {
    name: 'anything-but ignoring case, other value',
    doc: 'Content filtering: anything-but ignoring case',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    event: ec2({ state: 'running' }),
    expected: true,
  },
  {
    name: 'anything-but wildcard, path with /lib/',
    doc: 'Content filtering: anything-but using a wildcard',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: ec2({ FilePath: '/usr/lib/libc.so' }),
    expected: false,
  },
  {
    name: 'anything-but wildcard, other path',
    doc: 'Content filtering: anything-but using a wildcard',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: ec2({ FilePath: '/usr/bin/env' }),
    expected: true,
  },
  {
    name: 'anything-but does not match an absent field',
    doc: 'Comparison operators: anything-but',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: ec2({}),
    expected: false,
  },
  {
    name: 'numeric: all three ranges hold',
    doc: 'Content filtering: numeric matching',
    pattern: {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    event: ec2({ 'c-count': 5, 'd-count': 9.5, 'x-limit': 301.8 }),
    expected: true,
  },
  {
    name: 'numeric: lower bound is exclusive',
    doc: 'Content filtering: numeric matching',
    pattern: {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    event: ec2({ 'c-count': 0, 'd-count': 9, 'x-limit': 301.8 }),
    expected: false,
  },
  {
    name: 'numeric: = compares by value',
    doc: 'Content filtering: numeric matching',
    pattern: { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } },
    event: ec2({ 'x-limit': 301.8 }),
    expected: true,
  },
  {
    name: 'numeric only matches JSON numbers, not numeric strings',
    doc: 'Content filtering: numeric matching',
    pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    event: ec2({ 'c-count': '3' }),
    expected: false,
  },
  {
    name: 'IP address in CIDR block',
    doc: 'Content filtering: IP address matching',
    pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    event: ec2({ sourceIPAddress: '10.0.0.255' }),
    expected: true,
  },
  {
    name: 'IP address outside the CIDR block',
    doc: 'Content filtering: IP address matching',
    pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    event: ec2({ sourceIPAddress: '10.0.1.0' }),
    expected: false,
  },
  {
    name: 'IPv6 address in CIDR block',
    doc: 'Content filtering: IP address matching (IPv6)',
    pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } },
    event: ec2({ sourceIPAddress: '2001:db8::1' }),
    expected: true,
  },
  {
    name: 'exists true, field present',
    doc: 'Content filtering: exists matching',
    pattern: { detail: { state: [{ exists: true }] } },
    event: {
      version: '0',
      id: '7bf73129-1428-4cd3-a780-95db273d1602',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '123456789012',
      time: '2015-11-11T21:29:54Z',
      region: 'us-east-1',
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
      detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
    },
    expected: true,
  },
  {
    name: 'exists true, field absent',
    doc: 'Content filtering: exists matching',
    pattern: { detail: { state: [{ exists: true }] } },
    event: {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { 'c-count': { c1: 100 } },
    },
    expected: false,
  },
  {
    name: 'exists false, field absent',
    doc: 'Content filtering: exists matching',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { state: ['initializing', 'running'] },
    },
    expected: true,
  },
  {
    name: 'exists false, field is an object (not a leaf)',
    doc: 'Content filtering: exists matching (exists only works on leaf nodes)',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } },
    },
    expected: true,
  },
  {
    name: 'exists false, field present',
    doc: 'Content filtering: exists matching',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: ec2({ 'c-count': 5 }),
    expected: false,
  },
  {
    name: 'equals-ignore-case',
    doc: 'Comparison operators: equals (ignore case)',
    pattern: { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } },
    event: ec2({ Name: 'ALICE' }),
    expected: true,
  },
  {
    name: 'equals-ignore-case, other value',
    doc: 'Comparison operators: equals (ignore case)',
    pattern: { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } },
    event: ec2({ Name: 'bob' }),
    expected: false,
  },
  {
    name: 'empty string matches an empty string',
    doc: 'Matching null values and empty strings',
    pattern: { detail: { eventVersion: [''] } },
    event: ec2({ eventVersion: '', responseElements: null }),
    expected: true,
  },
  {
    name: 'null matches null',
    doc: 'Matching null values and empty strings',
    pattern: { detail: { responseElements: [null] } },
    event: ec2({ eventVersion: '', responseElements: null }),
    expected: true,
  },
  {
    name: 'an empty-string pattern does not match null',
    doc: 'Matching null values and empty strings',
    pattern: { detail: { responseElements: [''] } },
    event: ec2({ eventVersion: '', responseElements: null }),
    expected: false,
  },
  {
    name: 'null does not match an absent field',
    doc: 'Matching null values and empty strings',
    pattern: { detail: { responseElements: [null] } },
    event: ec2({ eventVersion: '' }),
    expected: false,
  },
  {
    name: 'wildcard on an event bus ARN',
    doc: 'Content filtering: wildcard matching',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    event: ec2({}, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' }),
    expected: true,
  },
  {
    name: 'wildcard, other region',
    doc: 'Content filtering: wildcard matching',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    event: ec2({}, { EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders' }),
    expected: false,
  },
  {
    name: 'wildcard matches across path separators',
    doc: 'Content filtering: wildcard matching',
    pattern: { detail: { FileName: [{ wildcard: 'dir/*.png' }] } },
    event: ec2({ FileName: 'dir/dir/dir/dir/image.png' }),
    expected: true,
  },
  {
    name: 'escaped star matches a literal star only',
    doc: 'Content filtering: wildcard matching (escaping)',
    pattern: { detail: { FileName: [{ wildcard: 'file\\*name' }] } },
    event: ec2({ FileName: 'fileXname' }),
    expected: false,
  },
  {
    name: 'escaped star matches a literal star',
    doc: 'Content filtering: wildcard matching (escaping)',
    pattern: { detail: { FileName: [{ wildcard: 'file\\*name' }] } },
    event: ec2({ FileName: 'file*name' }),
    expected: true,
  },
  {
    name: '$or inside detail, second branch holds',
    doc: 'Content filtering: $or matching',
    pattern: {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    },
    event: ec2({ 'c-count': 20, 'd-count': 3 }),
    expected: true,
  },
  {
    name: '$or inside detail, no branch holds',
    doc: 'Content filtering: $or matching',
    pattern: {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    },
    event: ec2({ 'c-count': 20, 'd-count': 30 }),
    expected: false,
  },
  {
    name: '$or at top level with another field',
    doc: 'Content filtering: $or matching',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: ec2({}, { source: 'aws.cloudwatch', metricName: 'DiskReadOps', namespace: 'AWS/ES' }),
    expected: true,
  },
  {
    name: '$or at top level, the ANDed field fails',
    doc: 'Content filtering: $or matching',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: ec2({}, { metricName: 'CPUUtilization' }),
    expected: false,
  },
  {
    name: 'arrays: non-empty intersection of pattern and event arrays',
    doc: 'Arrays in Amazon EventBridge event patterns',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    },
    event: ec2(
      {},
      {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
    ),
    expected: true,
  },
  {
    name: 'arrays: empty intersection',
    doc: 'Arrays in Amazon EventBridge event patterns',
    pattern: { resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] },
    event: ec2({}),
    expected: false,
  },
  {
    name: 'complex example: all conditions hold',
    doc: 'Content filtering: complex example with multiple matching',
    pattern: {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
      },
    },
    event: ec2(
      { state: 'running', 'c-count': 2, 'd-count': 4, 'x-limit': 150 },
      { time: '2017-10-02T01:00:00Z' },
    ),
    expected: true,
  },
  {
    name: 'complex example: an excluded x-limit',
    doc: 'Content filtering: complex example with multiple matching',
    pattern: {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
      },
    },
    event: ec2(
      { state: 'running', 'c-count': 2, 'd-count': 4, 'x-limit': 300 },
      { time: '2017-10-02T01:00:00Z' },
    ),
    expected: false,
  },
  {
    name: 'a key given twice: the last one is used',
    doc: 'Content filtering: note on keys included more than once',
    pattern: '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}',
    event: ec2({ location: 'eu-west' }),
    expected: true,
  },
  {
    name: 'a key given twice: the first one is ignored',
    doc: 'Content filtering: note on keys included more than once',
    pattern: '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}',
    event: ec2({ location: 'us-east' }),
    expected: false,
  },
  {
    name: 'exact number matches by value',
    doc: 'Creating event patterns: matching event values (JSON numbers)',
    pattern: { detail: { limit: [300] } },
    event: ec2({ limit: 3.0e2 }),
    expected: true,
  },
  {
    name: 'exact boolean does not match its string form',
    doc: 'Creating event patterns: values are JSON (strings, numbers, true, false, null)',
    pattern: { detail: { enabled: [true] } },
    event: ec2({ enabled: 'true' }),
    expected: false,
  },
  {
    name: 'exact value inside an event array',
    doc: 'Arrays in Amazon EventBridge event patterns',
    pattern: { detail: { state: ['running'] } },
    event: ec2({ state: ['initializing', 'running'] }),
    expected: true,
  },
];
// cases:end

describe('event pattern matching: the EventBridge user guide examples', () => {
  it.each(CASES)('$name ($doc)', ({ pattern, event, expected }) => {
    // Prepare
    const compiled = compilePattern(pattern);

    // Act
    const matched = compiled.matches(event);

    // Assess
    expect(matched).toBe(expected);
  });
});

describe('event pattern matching: beyond the guide', () => {
  it('matches fields of one array element at a time (array of objects)', () => {
    const pattern = { detail: { items: { name: ['a'], size: [{ numeric: ['>', 10] }] } } };

    const sameElement = matchesPattern(
      pattern,
      ec2({
        items: [
          { name: 'b', size: 1 },
          { name: 'a', size: 20 },
        ],
      }),
    );
    const splitAcross = matchesPattern(
      pattern,
      ec2({
        items: [
          { name: 'a', size: 1 },
          { name: 'b', size: 20 },
        ],
      }),
    );

    expect(sameElement).toBe(true);
    expect(splitAcross).toBe(false);
  });

  it('treats an absent parent object as absent leaves (exists false holds)', () => {
    const matched = matchesPattern({ detail: { errorCode: [{ exists: false }] } }, { source: 'x' });

    expect(matched).toBe(true);
  });

  it('ORs the entries of one value array, mixing operators', () => {
    const pattern = { detail: { eventName: [{ prefix: 'Create' }, 'UpdateRoute', { suffix: 'Mesh' }] } };

    const results = ['CreateVirtualNode', 'UpdateRoute', 'DeleteMesh', 'DescribeRoute'].map((eventName) =>
      matchesPattern(pattern, ec2({ eventName })),
    );

    expect(results).toEqual([true, true, true, false]);
  });

  it('does not let a prefix match a number', () => {
    const matched = matchesPattern({ detail: { code: [{ prefix: '4' }] } }, ec2({ code: 404 }));

    expect(matched).toBe(false);
  });

  it('nests $or inside a $or branch', () => {
    const pattern = {
      source: ['app'],
      $or: [{ detail: { a: ['1'] } }, { $or: [{ detail: { b: ['2'] } }, { detail: { c: ['3'] } }] }],
    };

    const viaNested = matchesPattern(pattern, { source: 'app', detail: { c: '3' } });
    const none = matchesPattern(pattern, { source: 'app', detail: { d: '4' } });

    expect(viaNested).toBe(true);
    expect(none).toBe(false);
  });

  it('compares equals-ignore-case on non-ASCII letters', () => {
    const matched = matchesPattern(
      { detail: { city: [{ 'equals-ignore-case': 'ZÜRICH' }] } },
      ec2({ city: 'zürich' }),
    );

    expect(matched).toBe(true);
  });

  it('keeps the pattern source for DescribeRule', () => {
    const source = '{"source":["aws.appmesh"]}';

    const compiled = compilePattern(source);

    expect(compiled.source).toBe(source);
  });
});

/** Malformed patterns, each with the reason PutRule / TestEventPattern would give. */
const INVALID: { name: string; pattern: string; reason: RegExp }[] = [
  { name: 'not JSON', pattern: '{"source": [', reason: /not valid JSON/ },
  { name: 'a JSON array', pattern: '["aws.ec2"]', reason: /Filter is not an object/ },
  { name: 'a JSON string', pattern: '"aws.ec2"', reason: /Filter is not an object/ },
  { name: 'an empty pattern', pattern: '{}', reason: /Empty objects are not allowed/ },
  { name: 'an empty nested object', pattern: '{"detail": {}}', reason: /Empty objects are not allowed/ },
  {
    name: 'a bare string value',
    pattern: '{"source": "aws.ec2"}',
    reason: /"source" must be an object or an array/,
  },
  { name: 'an empty value array', pattern: '{"source": []}', reason: /Empty arrays are not allowed/ },
  { name: 'a nested array value', pattern: '{"source": [["aws.ec2"]]}', reason: /Match value must be/ },
  {
    name: 'an unknown operator',
    pattern: '{"source": [{"starts-with": "aws."}]}',
    reason: /Unrecognized match type starts-with/,
  },
  {
    name: 'two operators in one object',
    pattern: '{"source": [{"prefix": "a", "suffix": "b"}]}',
    reason: /Only one key/,
  },
  {
    name: 'an empty operator object',
    pattern: '{"source": [{}]}',
    reason: /Match expression name not found/,
  },
  {
    name: 'a numeric prefix',
    pattern: '{"source": [{"prefix": 1}]}',
    reason: /prefix match pattern must be a string/,
  },
  {
    name: 'a numeric suffix',
    pattern: '{"source": [{"suffix": 1}]}',
    reason: /suffix match pattern must be a string/,
  },
  {
    name: 'equals-ignore-case with a number',
    pattern: '{"source": [{"equals-ignore-case": 1}]}',
    reason: /equals-ignore-case match pattern must be a string/,
  },
  {
    name: 'numeric not an array',
    pattern: '{"n": [{"numeric": 5}]}',
    reason: /Value of numeric must be an array/,
  },
  {
    name: 'numeric with a string bound',
    pattern: '{"n": [{"numeric": [">", "5"]}]}',
    reason: /Value of > must be numeric/,
  },
  {
    name: 'numeric upper then lower',
    pattern: '{"n": [{"numeric": ["<", 5, ">", 1]}]}',
    reason: /Too many elements/,
  },
  {
    name: 'numeric two lower bounds',
    pattern: '{"n": [{"numeric": [">", 1, ">=", 2]}]}',
    reason: /Bad numeric range operator: >=/,
  },
  {
    name: 'numeric unknown operator',
    pattern: '{"n": [{"numeric": ["!=", 1]}]}',
    reason: /Unrecognized numeric range operator/,
  },
  {
    name: 'numeric missing bound',
    pattern: '{"n": [{"numeric": [">"]}]}',
    reason: /Value of > must be numeric/,
  },
  { name: 'numeric empty', pattern: '{"n": [{"numeric": []}]}', reason: /Empty numeric expression/ },
  {
    name: 'numeric = then more',
    pattern: '{"n": [{"numeric": ["=", 1, "<", 3]}]}',
    reason: /Too many elements/,
  },
  { name: 'numeric out of range', pattern: '{"n": [{"numeric": [">", 1e12]}]}', reason: /out of range/ },
  {
    name: 'anything-but mixed list',
    pattern: '{"s": [{"anything-but": ["a", 1]}]}',
    reason: /mixed type is not supported/,
  },
  {
    name: 'anything-but empty list',
    pattern: '{"s": [{"anything-but": []}]}',
    reason: /either all values are number or string/,
  },
  {
    name: 'anything-but boolean',
    pattern: '{"s": [{"anything-but": true}]}',
    reason: /must be an array or single string\/number/,
  },
  {
    name: 'anything-but unknown nested',
    pattern: '{"s": [{"anything-but": {"numeric": [">", 1]}}]}',
    reason: /Unsupported anything-but pattern: numeric/,
  },
  {
    name: 'anything-but empty prefix',
    pattern: '{"s": [{"anything-but": {"prefix": ""}}]}',
    reason: /Null prefix\/suffix not allowed/,
  },
  {
    name: 'anything-but prefix list',
    pattern: '{"s": [{"anything-but": {"prefix": ["a", "b"]}}]}',
    reason: /must be a string/,
  },
  {
    name: 'exists not boolean',
    pattern: '{"s": [{"exists": "yes"}]}',
    reason: /exists match pattern must be either true or false/,
  },
  {
    name: 'wildcard consecutive stars',
    pattern: '{"s": [{"wildcard": "a**b"}]}',
    reason: /Consecutive wildcard characters/,
  },
  {
    name: 'wildcard bad escape',
    pattern: '{"s": [{"wildcard": "a\\\\b"}]}',
    reason: /Invalid escape character/,
  },
  {
    name: 'wildcard not a string',
    pattern: '{"s": [{"wildcard": 3}]}',
    reason: /wildcard match pattern must be a string/,
  },
  { name: 'cidr without prefix length', pattern: '{"ip": [{"cidr": "10.0.0.0"}]}', reason: /Malformed CIDR/ },
  { name: 'cidr not an address', pattern: '{"ip": [{"cidr": "ten/8"}]}', reason: /Malformed CIDR/ },
  { name: 'cidr prefix too long', pattern: '{"ip": [{"cidr": "10.0.0.0/33"}]}', reason: /Malformed CIDR/ },
  { name: '$or with one branch', pattern: '{"$or": [{"a": ["1"]}]}', reason: /at least 2 Objects in \$or/ },
  {
    name: '$or not an array',
    pattern: '{"$or": {"a": ["1"]}}',
    reason: /must be an Array followed with \$or/,
  },
  {
    name: '$or with a non-object',
    pattern: '{"$or": [{"a": ["1"]}, "b"]}',
    reason: /Only JSON object is allowed/,
  },
  {
    name: '$or with an empty branch',
    pattern: '{"$or": [{"a": ["1"]}, {}]}',
    reason: /Empty objects are not allowed/,
  },
];

describe('event pattern validation', () => {
  it.each(INVALID)('refuses $name', ({ pattern, reason }) => {
    // Act
    const act = () => compilePattern(pattern);

    // Assess
    expect(act).toThrow(InvalidEventPatternError);
    expect(act).toThrow(/^Event pattern is not valid\. Reason: /);
    expect(act).toThrow(reason);
  });
});
