/**
 * A traffic share (0–1) as the reviews print it, rounded to one decimal of a percent. The one
 * formatter behind `stepwise diff`, `plan` (table) and `plan --format svg`, so a share reads the
 * same everywhere.
 */

/** How {@link formatShare} writes the decimal. */
export interface ShareFormat {
  /**
   * Always write the one decimal (`10.0%`), so shares line up in a column as in the `plan` table.
   * @default false: the decimal is dropped when it is 0 (`10%`, `14.3%`)
   */
  readonly fixedDecimal?: boolean;
}

/** 0.1 → `10%` (or `10.0%` with `fixedDecimal`), 1/7 → `14.3%`, 1 → `100%`. */
export function formatShare(share: number, format: ShareFormat = {}): string {
  const rounded = (share * 100).toFixed(1);
  return `${format.fixedDecimal ? rounded : Number(rounded)}%`;
}
