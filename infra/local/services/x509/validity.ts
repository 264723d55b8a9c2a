/** Raised for a validity AWS would refuse; the message says why. */
export class ValidityError extends Error {
  override readonly name = 'ValidityError';
}

/** An ACM PCA `Validity`: `Value` read according to `Type`. */
export interface ValiditySpec {
  readonly Type: string;
  readonly Value: number;
}

/** Parse END_DATE's UTCTime (YYMMDDHHMMSS) or GeneralizedTime (YYYYMMDDHHMMSS) digits. */
function parseEndDate(value: number): Date {
  const digits = String(value);
  let year: number;
  let rest: string;
  if (digits.length === 12) {
    const yy = Number(digits.slice(0, 2));
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = digits.slice(2);
  } else if (digits.length === 14) {
    year = Number(digits.slice(0, 4));
    rest = digits.slice(4);
  } else {
    throw new ValidityError(`END_DATE ${digits} is neither YYMMDDHHMMSS nor YYYYMMDDHHMMSS`);
  }
  const [month, day, hour, minute, second] = [0, 2, 4, 6, 8].map((i) => Number(rest.slice(i, i + 2))) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new ValidityError(`END_DATE ${digits} is not a valid date`);
  }
  return date;
}

function addMonths(from: Date, months: number): Date {
  const date = new Date(from.getTime());
  date.setUTCMonth(date.getUTCMonth() + months);
  return date;
}

/** The instant a `Validity` points to, counted from `now` for the relative types. */
export function resolveValidity(spec: ValiditySpec, now: Date): Date {
  const { Type, Value } = spec;
  if (!Number.isSafeInteger(Value)) throw new ValidityError(`Validity value ${Value} is not an integer`);
  switch (Type) {
    case 'ABSOLUTE':
      return new Date(Value * 1000);
    case 'END_DATE':
      return parseEndDate(Value);
    case 'DAYS':
    case 'MONTHS':
    case 'YEARS': {
      if (Value < 1)
        throw new ValidityError(`Validity of ${Value} ${Type} is shorter than the one-unit minimum`);
      if (Type === 'DAYS') return new Date(now.getTime() + Value * 86_400_000);
      return addMonths(now, Type === 'MONTHS' ? Value : Value * 12);
    }
    default:
      throw new ValidityError(`Validity type ${Type} is not one of END_DATE, ABSOLUTE, DAYS, MONTHS, YEARS`);
  }
}
