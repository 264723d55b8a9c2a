/**
 * Test vectors of aws/event-ruler, the open-source matcher EventBridge uses, copied from its
 * own unit tests with the outcome each test asserts:
 *
 * - `src/test/software/amazon/event/ruler/RulerTest.java` (commit 102958ed8a68b5cdbc877343b2f98f2efaa9bd3a)
 * - `src/test/software/amazon/event/ruler/ACMachineTest.java` (commit 0590ad32543ed75ff23f5d83c31b8d848463c70d)
 *
 * Patterns and events are the tests' JSON strings, parsed. Where a test adds several rules to
 * one machine and asserts which of them match, each rule is a vector of its own. `source`
 * names the Java test method.
 */

export interface EventRulerVector {
  readonly source: string;
  readonly pattern: Record<string, unknown>;
  readonly event: Record<string, unknown>;
  readonly matches: boolean;
}

const RULER = 'RulerTest';
const AC = 'ACMachineTest';

const JSON_FROM_RFC = {
  Image: {
    Width: 800,
    Height: 600,
    Title: 'View from 15th Floor',
    Thumbnail: { Url: 'http://www.example.com/image/481989943', Height: 125, Width: 100 },
    Animated: false,
    IDs: [116, 943, 234, 38793],
  },
};

const JSON_FROM_README = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:012345679012:instance/i-000000aaaaaa00000'],
  detail: {
    'c.count': 5,
    'd.count': 3,
    'x.limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

/** Objects in arrays nested in arrays. */
const JSON_WITH_COMPLEX_ARRAYS = {
  employees: [
    [
      { firstName: 'John', lastName: 'Doe', ids: [1234, 1000, 9999] },
      { firstName: 'Anna', lastName: 'Smith' },
    ],
    [{ firstName: 'Peter', lastName: 'Jones', ids: [] }],
  ],
};

const SONGS = {
  Year: 1966,
  Genres: [{ Pop: true }, { Classical: false }],
  Songs: [
    {
      Name: 'Paperback Writer',
      Writers: [
        { First: 'John', Last: 'Lennon' },
        { First: 'Paul', Last: 'McCartney' },
      ],
    },
    {
      Name: 'Paint It Black',
      Writers: [
        { First: 'Mick', Last: 'Jagger' },
        { First: 'Keith', Last: 'Richards' },
      ],
    },
  ],
};

const INTENSITIES = {
  lines: [
    {
      intensities: [[0.5]],
      points: [
        [
          [{ pp: 'index0' }, 483.3474497412421, 287.48116291799363],
          [{ pp: 'index1' }, 489.9999497412421, 299.99996291799363],
        ],
      ],
    },
  ],
};

const ANYTHING_BUT_RULE = {
  a: [{ 'anything-but': ['dad0', 'dad1', 'dad2'] }],
  b: [{ 'anything-but': [111, 222, 333] }],
  c: [{ 'anything-but': 'zdd' }],
  d: [{ 'anything-but': 444 }],
  z: [{ numeric: ['>', 0, '<', 1] }],
  w: [{ 'anything-but': { prefix: 'zax' } }],
};

const EQUALS_IGNORE_CASE_RULE = {
  a: [{ 'equals-ignore-case': 'aBc' }],
  b: [{ 'equals-ignore-case': 'Def' }],
  c: [{ 'equals-ignore-case': 'xyZ' }],
};

const WILDCARD_RULE = {
  a: [{ wildcard: '*bc' }],
  b: [{ wildcard: 'd*f' }],
  c: [{ wildcard: 'xy*' }],
  d: [{ wildcard: 'xy*' }],
};

const exists = (field: string, present: boolean) => ({ [field]: [{ exists: present }] });

export const EVENT_RULER_VECTORS: readonly EventRulerVector[] = [
  // RulerTest.WHEN_RulesFromReadmeAreTried_THEN_TheyWork
  ...[
    {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:012345679012:instance/i-000000aaaaaa00000'],
      detail: { state: ['initializing', 'running'] },
    },
    { time: [{ prefix: '2017-10-02' }], detail: { state: [{ 'anything-but': 'initializing' }] } },
    {
      detail: {
        'source-ip': [{ cidr: '10.0.0.0/24' }],
        'c.count': [{ numeric: ['>', 0, '<=', 5] }],
        'd.count': [{ numeric: ['<', 10] }],
        'x.limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    { detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } },
  ].map((pattern) => ({
    source: `${RULER}.WHEN_RulesFromReadmeAreTried_THEN_TheyWork`,
    pattern,
    event: JSON_FROM_README,
    matches: true,
  })),
  // ACMachineTest.rulesFromREADMETest: the rules it adds beyond RulerTest's
  ...[
    { time: [{ prefix: '2017-10-02' }], detail: { state: [{ suffix: 'ing' }] } },
    { detail: { 'instance-id': [{ 'anything-but': { suffix: '1234' } }] } },
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
  ].map((pattern) => ({
    source: `${AC}.rulesFromREADMETest`,
    pattern,
    event: JSON_FROM_README,
    matches: true,
  })),
  // RulerTest.WHEN_WeWriteRulesToMatchVariousFieldCombos_THEN_TheyWork
  ...[
    { Image: { Width: [800], Thumbnail: { Height: [125, 300] } } },
    { Image: { Thumbnail: { Url: [{ prefix: 'http' }] } } },
    {
      Image: {
        Width: [{ numeric: ['<', 1000] }],
        Height: [{ numeric: ['<=', 600] }],
        Title: [{ 'anything-but': 'View from 15th Flood' }],
        Thumbnail: {
          Url: [{ prefix: 'http' }],
          Height: [{ numeric: ['>', 124, '<', 126] }],
          Width: [{ numeric: ['>=', 99.999, '<=', 100] }],
        },
        Animated: [false],
      },
    },
  ].map((pattern) => ({
    source: `${RULER}.WHEN_WeWriteRulesToMatchVariousFieldCombos_THEN_TheyWork`,
    pattern,
    event: JSON_FROM_RFC,
    matches: true,
  })),
  ...[
    { Image: { Width: [{ numeric: ['<', 800] }] } },
    { Image: { Height: [{ numeric: ['<', 599] }] } },
    { Image: { Title: [{ 'anything-but': 'View from 15th Floor' }] } },
    { Image: { Thumbnail: { Url: [{ prefix: 'https' }] } } },
    { Image: { Thumbnail: { Height: [{ numeric: ['>', 124, '<', 125] }] } } },
    { Image: { Thumbnail: { Width: [{ numeric: ['>=', 100.00001, '<=', 1001] }] } } },
    { Image: { Animated: [true] } },
  ].map((pattern) => ({
    source: `${RULER}.WHEN_WeWriteRulesToMatchVariousFieldCombos_THEN_TheyWork`,
    pattern,
    event: JSON_FROM_RFC,
    matches: false,
  })),
  // RulerTest.WHEN_JSONContainsArrays_THEN_RulerNoCompileMatchesWork
  ...[
    { employees: { firstName: ['Anna'] } },
    { employees: { firstName: ['John'], ids: [1000] } },
    { employees: { firstName: ['Anna'], ids: [{ exists: false }] } },
  ].map((pattern) => ({
    source: `${RULER}.WHEN_JSONContainsArrays_THEN_RulerNoCompileMatchesWork`,
    pattern,
    event: JSON_WITH_COMPLEX_ARRAYS,
    matches: true,
  })),
  ...[
    { employees: { firstName: ['Alice'] } },
    { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    { employees: { firstName: ['Alice'], lastName: ['Bob'] } },
    { a: ['b'] },
    { employees: ['b'] },
    { employees: { firstName: ['Anna'], ids: [1000] } },
    { employees: { firstName: ['Anna'], ids: [{ exists: true }] } },
  ].map((pattern) => ({
    source: `${RULER}.WHEN_JSONContainsArrays_THEN_RulerNoCompileMatchesWork`,
    pattern,
    event: JSON_WITH_COMPLEX_ARRAYS,
    matches: false,
  })),
  // RulerTest.WHEN_WeTryToMatchExistsRules_THEN_TheyWork: rule/event as the test labels them
  ...(
    [
      [exists('a', true), { a: 1 }, true],
      [exists('b', false), { a: 1 }, true],
      [exists('x', true), { a: 1 }, false],
      [exists('x', false), { a: 1 }, true],
      [exists('a', true), { b: 2 }, false],
      [exists('b', false), { b: 2 }, false],
      [exists('x', true), { b: 2 }, false],
      [exists('x', false), { b: 2 }, true],
      [exists('a', true), { x: 'X' }, false],
      [exists('b', false), { x: 'X' }, true],
      [exists('x', true), { x: 'X' }, true],
      [exists('x', false), { x: 'X' }, false],
    ] as const
  ).map(([pattern, event, matches]) => ({
    source: `${RULER}.WHEN_WeTryToMatchExistsRules_THEN_TheyWork`,
    pattern,
    event,
    matches,
  })),
  // RulerTest.WHEN_WeTryReallySimpleRules_THEN_TheyWork
  ...(
    [
      [{ a: [1] }, { a: 1 }, true],
      [{ b: [2] }, { b: 2 }, true],
      [{ x: ['X'] }, { x: 'X' }, true],
      [{ a: [1] }, { x: true }, false],
      [{ b: [2] }, { x: true }, false],
      [{ x: ['X'] }, { x: true }, false],
    ] as const
  ).map(([pattern, event, matches]) => ({
    source: `${RULER}.WHEN_WeTryReallySimpleRules_THEN_TheyWork`,
    pattern,
    event,
    matches,
  })),
  // RulerTest.WHEN_WeTryAnythingButRules_THEN_Theywork
  ...(
    [
      [{ a: 'child1', b: '444', c: 'child1', d: 123, w: 'xaz', z: 0.001 }, true],
      [{ a: 'dad789', b: 789, c: 'zdd', d: 123, w: 'xaz', z: 0.001 }, false],
      [{ a: 'dad789', b: 789, c: 'child1', d: 123, w: 'xaz', z: 1.01 }, false],
      [{ a: 'dad1', b: 345, c: 'child1', d: 123, w: 'xaz', z: 0.001 }, false],
      [{ a: 'abc', b: 111, c: 'child1', d: 123, w: 'xaz', z: 0.001 }, false],
      [{ a: 'dad1', b: 333, c: 'child1', d: 123, w: 'xaz', z: 0.001 }, false],
      [{ a: 'abc', b: 0, c: 'child1', d: 444, w: 'xaz', z: 0.999999 }, false],
      [{ a: 'child1', b: '444', c: 'child1', d: 123, w: 'zaxonie', z: 0.001 }, false],
    ] as const
  ).map(([event, matches]) => ({
    source: `${RULER}.WHEN_WeTryAnythingButRules_THEN_Theywork`,
    pattern: ANYTHING_BUT_RULE,
    event,
    matches,
  })),
  // RulerTest.WHEN_WeTryEqualsIgnoreCaseRules_THEN_TheyWork
  ...(
    [
      [{ a: 'ABC', b: 'defx', c: 'xYz', d: 'rst' }, false],
      [{ a: 'ABC', c: 'xYz', d: 'rst' }, false],
      [{ a: 'ABC', b: 'xYz', c: 'def', d: 'rst' }, false],
      [{ a: 'ABC', b: 'def', c: 'xYz', d: 'rst' }, true],
    ] as const
  ).map(([event, matches]) => ({
    source: `${RULER}.WHEN_WeTryEqualsIgnoreCaseRules_THEN_TheyWork`,
    pattern: EQUALS_IGNORE_CASE_RULE,
    event,
    matches,
  })),
  // RulerTest.WHEN_WeTryWildcardRules_THEN_TheyWork
  ...(
    [
      [{ a: 'abcbc', b: 'deeeefx', c: 'xy', d: 'xyzzz' }, false],
      [{ a: 'abcbc', b: 'deeeef', d: 'xyzzz' }, false],
      [{ a: 'abcbc', b: 'xy', c: 'deeeef', d: 'xyzzz' }, false],
      [{ a: 'abcbc', b: 'deeeef', c: 'xy', d: 'xyzzz' }, true],
    ] as const
  ).map(([event, matches]) => ({
    source: `${RULER}.WHEN_WeTryWildcardRules_THEN_TheyWork`,
    pattern: WILDCARD_RULE,
    event,
    matches,
  })),
  // ACMachineTest.songsACTest: fields under one pattern object come from one array element
  ...(
    [
      [
        {
          Year: [1966],
          Songs: { Name: ['Paperback Writer'], Writers: { First: ['Paul'], Last: ['McCartney'] } },
        },
        true,
      ],
      [{ Genres: { Pop: [true] }, Songs: { Name: ['Paint It Black'] } }, true],
      [{ Year: [1966], Songs: { Name: ['Paint It Black'] } }, true],
      [{ Songs: { Name: ['Paperback Writer'], Writers: { First: ['Paul'], Last: ['McCartney'] } } }, true],
      [{ Year: [1966], Songs: { Name: ['Paperback Writer'], Writers: { First: ['Mick'] } } }, false],
      [{ Songs: { Writers: { First: ['Mick'], Last: ['McCartney'] } } }, false],
      [{ Genres: { Pop: [true] }, Songs: { Writers: { First: ['Mick'], Last: ['McCartney'] } } }, false],
    ] as const
  ).map(([pattern, matches]) => ({ source: `${AC}.songsACTest`, pattern, event: SONGS, matches })),
  // ACMachineTest.intensitiesACTest: its rule names `points` twice (a number, and an object in
  // arrays nested three deep), which a JSON object cannot hold; each half matches on its own.
  ...[{ lines: { points: [287.48116291799363] } }, { lines: { points: { pp: ['index0'] } } }].map(
    (pattern) => ({ source: `${AC}.intensitiesACTest`, pattern, event: INTENSITIES, matches: true }),
  ),
  // ACMachineTest.testPrefixMatching
  ...(
    [
      [{ a: [{ prefix: 'zoo' }] }, { a: 'zookeeper' }, true],
      [{ a: [{ prefix: 'zoo' }] }, { a: 'zoo' }, true],
      [{ b: [{ prefix: 'child' }] }, { b: 'childlike' }, true],
      [{ b: [{ prefix: 'child' }] }, { b: 'childish' }, true],
      [{ b: [{ prefix: 'child' }] }, { b: 'childhood' }, true],
      [{ a: [{ prefix: 'zoo' }] }, { b: 'childhood' }, false],
      [{ a: [{ prefix: 'al' }] }, { a: 'albert' }, true],
      [{ a: ['albert'] }, { a: 'albert' }, true],
    ] as const
  ).map(([pattern, event, matches]) => ({ source: `${AC}.testPrefixMatching`, pattern, event, matches })),
  // ACMachineTest.testNumericMatch
  {
    source: `${AC}.testNumericMatch`,
    pattern: {
      a: [{ numeric: ['=', 0] }],
      b: [{ numeric: ['<', 0] }],
      c: [{ numeric: ['<=', 0] }],
      x: [{ numeric: ['>', 0] }],
      y: [{ numeric: ['>=', 0] }],
      z: [{ numeric: ['>', 0, '<', 1] }],
    },
    event: { a: [0], b: [-0.1], c: [0], x: [1], y: [0], z: [0.1] },
    matches: true,
  },
  // ACMachineTest.testRangeDeletion (before the deletions)
  ...(
    [
      [
        { x: [{ numeric: ['>=', 0, '<', 1000000000] }] },
        { x: 111111111.1111111 } /* the test's 111111111.111111111, as a double holds it */,
        true,
      ],
      [{ x: [{ numeric: ['>=', 0, '<', 1000000000] }] }, { x: 1000000000 }, false],
    ] as const
  ).map(([pattern, event, matches]) => ({ source: `${AC}.testRangeDeletion`, pattern, event, matches })),
  ...[23, 110].map((x) => ({
    source: `${AC}.testRangeDeletion`,
    pattern: {
      m: ['abc'],
      x: [{ numeric: ['>', 0, '<', 30] }, { numeric: ['>', 100, '<', 120] }],
      n: ['efg'],
    },
    event: { m: 'abc', n: 'efg', x },
    matches: true,
  })),
  // ACMachineTest.deleteRule (before the deletions): an event array matches any of its values
  ...[{ foo: { bar: 'ab' } }, { foo: { bar: 'cd' } }, { foo: { bar: ['ab', 'cd'] } }].map((event) => ({
    source: `${AC}.deleteRule`,
    pattern: { foo: { bar: ['ab', 'cd'] } },
    event,
    matches: true,
  })),
  // ACMachineTest.OneRuleMadeByTwoConditions (before the deletions): each condition alone
  ...(
    [
      [{ A: ['on'], C: ['on'], D: ['off'] }, { A: 'on', C: 'on', D: 'off' }, true],
      [{ B: ['on'], C: ['on'], D: ['off'] }, { B: 'on', C: 'on', D: 'off' }, true],
      [{ A: ['on'], C: ['on'], D: ['off'] }, { A: 'on', B: 'on', C: 'on', D: 'on' }, false],
      [{ B: ['on'], C: ['on'], D: ['off'] }, { A: 'on', B: 'on', C: 'on', D: 'on' }, false],
      [{ A: ['on'], C: ['on'], D: ['off'] }, { A: 'on', B: 'on', C: 'on', D: 'off' }, true],
    ] as const
  ).map(([pattern, event, matches]) => ({
    source: `${AC}.OneRuleMadeByTwoConditions`,
    pattern,
    event,
    matches,
  })),
];
