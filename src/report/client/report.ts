/**
 * Page code of a report (runs in the browser, bundled into client-code.ts): draws every
 * `<figure data-chart="i">` from the page's chart specs, and sorts `table.sortable` by a
 * click on a heading (numbers by value, by their `data-sort`).
 */
import type { Spec } from 'vega';
import { Chart, pageData } from './chart.ts';

const specs = pageData<Spec[]>('rxlab-charts');
for (const figure of document.querySelectorAll<HTMLElement>('figure[data-chart]')) {
  const view = figure.querySelector<HTMLElement>('.view')!;
  void new Chart(view, specs[Number(figure.dataset.chart)]).draw().catch(() => undefined);
}

function sortKey(cell: Element | undefined): string | number {
  const value = cell?.getAttribute('data-sort');
  return value === null || value === undefined ? (cell?.textContent ?? '') : Number(value);
}

for (const table of document.querySelectorAll<HTMLTableElement>('table.sortable')) {
  table.tHead?.querySelectorAll('th').forEach((th, column) => {
    th.addEventListener('click', () => {
      const ascending = th.getAttribute('aria-sort') !== 'ascending';
      table.tHead?.querySelectorAll('th').forEach((other) => other.removeAttribute('aria-sort'));
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const body = table.tBodies[0];
      const rows = [...body.rows].sort((a, b) => {
        const [x, y] = [sortKey(a.cells[column]), sortKey(b.cells[column])];
        // Empty cells last either way.
        if (x === '' || y === '') return x === y ? 0 : x === '' ? 1 : -1;
        const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
        return ascending ? order : -order;
      });
      body.append(...rows);
    });
  });
}
