// Go's time layouts (reference time Mon Jan 2 15:04:05 MST 2006) for Sprig's date functions.
// Times are formatted in UTC: a gateway's config should not depend on the host's zone.
import type { GoTime } from './values.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const TOKENS = /January|Jan|Monday|Mon|2006|MST|Z07:00|Z0700|Z07|-07:00|-0700|-07|\.0+|\.9+|,0+|,9+|__2|002|01|02|_2|03|04|05|06|15|PM|pm|1|2|3|4|5/g;

const p2 = (n: number) => String(n).padStart(2, '0');

export function formatGoTime(t: GoTime, layout: string): string {
  const d = t.date;
  const h = d.getUTCHours();
  return layout.replace(TOKENS, (tok) => {
    switch (tok) {
      case 'January':
        return MONTHS[d.getUTCMonth()];
      case 'Jan':
        return MONTHS[d.getUTCMonth()].slice(0, 3);
      case 'Monday':
        return DAYS[d.getUTCDay()];
      case 'Mon':
        return DAYS[d.getUTCDay()].slice(0, 3);
      case '2006':
        return String(d.getUTCFullYear());
      case '06':
        return p2(d.getUTCFullYear() % 100);
      case '01':
        return p2(d.getUTCMonth() + 1);
      case '1':
        return String(d.getUTCMonth() + 1);
      case '02':
        return p2(d.getUTCDate());
      case '2':
        return String(d.getUTCDate());
      case '_2':
        return String(d.getUTCDate()).padStart(2, ' ');
      case '002':
      case '__2': {
        const day = Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1;
        return tok === '002' ? String(day).padStart(3, '0') : String(day).padStart(3, ' ');
      }
      case '15':
        return p2(h);
      case '03':
        return p2(h % 12 || 12);
      case '3':
        return String(h % 12 || 12);
      case '04':
        return p2(d.getUTCMinutes());
      case '4':
        return String(d.getUTCMinutes());
      case '05':
        return p2(d.getUTCSeconds());
      case '5':
        return String(d.getUTCSeconds());
      case 'PM':
        return h >= 12 ? 'PM' : 'AM';
      case 'pm':
        return h >= 12 ? 'pm' : 'am';
      case 'MST':
        return 'UTC';
      case 'Z07:00':
      case 'Z0700':
      case 'Z07':
        return 'Z';
      case '-07:00':
        return '+00:00';
      case '-0700':
        return '+0000';
      case '-07':
        return '+00';
      default: {
        // Fractional seconds: .000 fixed digits, .999 trailing zeros dropped.
        const digits = tok.length - 1;
        const ns = String(d.getUTCMilliseconds() * 1_000_000)
          .padStart(9, '0')
          .slice(0, digits);
        if (tok[1] === '0') return tok[0] + ns;
        const trimmed = ns.replace(/0+$/, '');
        return trimmed ? tok[0] + trimmed : '';
      }
    }
  });
}
