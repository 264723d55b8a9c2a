import { describe, expect, it } from 'vitest';
import {
  parseQueryRequest,
  QueryParseError,
  queryError,
  queryResponse,
  toXml,
} from '../../../infra/local/protocol/query';

/** The query protocol codec on its own (the CloudWatch integration tests use it over HTTP). */

const request = (body: string, query = '') => ({
  body: Buffer.from(body),
  query: new URLSearchParams(query),
});

describe('query protocol requests', () => {
  it('nests dotted names and turns member lists into arrays in index order', () => {
    const parsed = parseQueryRequest(
      request(
        'Action=PutMetricAlarm&Version=2010-08-01&AlarmName=a%20b' +
          '&Dimensions.member.2.Name=Second&Dimensions.member.2.Value=2' +
          '&Dimensions.member.1.Name=First&Dimensions.member.1.Value=1' +
          '&Metrics.member.1.MetricStat.Metric.Dimensions.member.1.Name=Mesh&Metrics.member.1.Id=m1' +
          '&OKActions=',
      ),
    );

    expect(parsed).toEqual({
      action: 'PutMetricAlarm',
      version: '2010-08-01',
      params: {
        AlarmName: 'a b',
        Dimensions: [
          { Name: 'First', Value: '1' },
          { Name: 'Second', Value: '2' },
        ],
        Metrics: [{ MetricStat: { Metric: { Dimensions: [{ Name: 'Mesh' }] } }, Id: 'm1' }],
        OKActions: '',
      },
    });
  });

  it('reads the action from the URL query string of a GET request', () => {
    expect(parseQueryRequest(request('', 'Action=DescribeAlarms&AlarmNames.member.1=x')).params).toEqual({
      AlarmNames: ['x'],
    });
  });

  it.each([
    ['Version=2010-08-01', /Missing Action/],
    ['Action=X&A=1&A=2', /given more than once/],
    ['Action=X&A=1&A.B=2', /both as a value and a structure/],
    ['Action=X&L.member.0=a', /bad index/],
    ['Action=X&L.member.one=a', /bad index/],
    ['Action=X&A..B=1', /Malformed parameter name/],
    ['Action=X&__proto__.polluted=1', /Malformed parameter name/],
    ['Action=X&L.member=a', /has no index/],
  ])('refuses %s', (body, reason) => {
    const act = () => parseQueryRequest(request(body));

    expect(act).toThrow(QueryParseError);
    expect(act).toThrow(reason);
  });

  it('does not pollute prototypes through parameter names', () => {
    const act = () => parseQueryRequest(request('Action=X&constructor.prototype.polluted=1'));

    expect(act).toThrow(QueryParseError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('query protocol responses', () => {
  it('renders structures, member lists, escaped text and skips absent members', () => {
    const xml = toXml({
      Name: 'a<b>&"c"',
      List: ['x', { K: 1 }],
      Flag: false,
      Missing: undefined,
      Nothing: null,
    });

    expect(xml).toBe(
      '<Name>a&#60;b&#62;&#38;&#34;c&#34;</Name><List><member>x</member><member><K>1</K></member></List><Flag>false</Flag>',
    );
  });

  it('wraps a result, or only metadata for an empty result', () => {
    const withResult = queryResponse('DescribeAlarms', 'urn:ns', { NextToken: 't' }, 'req-1');
    const empty = queryResponse('PutMetricAlarm', 'urn:ns', {}, 'req-2');

    expect(withResult.body).toBe(
      '<DescribeAlarmsResponse xmlns="urn:ns"><DescribeAlarmsResult><NextToken>t</NextToken></DescribeAlarmsResult>' +
        '<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DescribeAlarmsResponse>',
    );
    expect(empty.body).toBe(
      '<PutMetricAlarmResponse xmlns="urn:ns"><ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata></PutMetricAlarmResponse>',
    );
  });

  it('renders an error with Sender or Receiver type', () => {
    const client = queryError('urn:ns', 400, 'InvalidParameterValue', 'bad <x>', 'r');
    const server = queryError('urn:ns', 503, 'ServiceUnavailable', 'later', 'r');

    expect(client).toMatchObject({
      status: 400,
      error: { code: 'InvalidParameterValue', message: 'bad <x>' },
    });
    expect(client.body).toBe(
      '<ErrorResponse xmlns="urn:ns"><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>' +
        '<Message>bad &#60;x&#62;</Message></Error><RequestId>r</RequestId></ErrorResponse>',
    );
    expect(server.body).toContain('<Type>Receiver</Type>');
  });
});
