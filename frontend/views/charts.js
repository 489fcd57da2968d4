// Plain SVG bar charts for the statistics (the leaders' dashboard and the public results page).
// Each chart is drawn beside a <table> holding the same numbers, which is what screen readers read:
// the picture itself is hidden from them. No library: a bar chart is a few rectangles and labels
// (docs/frontend.md says why).

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== null && value !== undefined) el.setAttribute(name, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * Horizontal bars, one a row: items [{label, value, text, tone}] where value is a number ≥ 0 (null:
 * no bar), text what is written after the bar ("98,8 %"), tone "late" for the red bars. `max` is the
 * scale's end (1 for a rate); by default the largest value.
 */
export function barChart(items, { max, label = "" } = {}) {
  const rowHeight = 28;
  // Drawn 400 units wide: on a phone (about 360 px) its 13-unit text stays about 12 px high.
  const labelWidth = 150;
  const width = 400;
  const barSpace = width - labelWidth - 56;
  const top = Math.max(max ?? 0, ...items.map((item) => Number(item.value) || 0)) || 1;
  const height = Math.max(1, items.length) * rowHeight + 8;
  const root = svg("svg", {
    class: "chart",
    viewBox: `0 0 ${width} ${height}`,
    width: "100%",
    preserveAspectRatio: "xMinYMin meet",
    "aria-hidden": "true",
    focusable: "false",
    "data-label": label,
  });
  items.forEach((item, index) => {
    const y = 4 + index * rowHeight;
    const name = String(item.label ?? "");
    const short = name.length > 19 ? `${name.slice(0, 18)}…` : name; // fits the 150 units left of the bars
    root.append(svg("text", { x: labelWidth - 8, y: y + rowHeight / 2 + 5, "text-anchor": "end", class: "chart__label" }, short));
    const value = Number(item.value);
    const w = item.value === null || item.value === undefined || Number.isNaN(value) ? 0 : Math.max(value > 0 ? 2 : 0, (value / top) * barSpace);
    root.append(svg("rect", { x: labelWidth, y: y + 4, width: w.toFixed(1), height: rowHeight - 10, rx: 2, class: `chart__bar${item.tone ? ` chart__bar--${item.tone}` : ""}` }));
    root.append(svg("text", { x: labelWidth + w + 6, y: y + rowHeight / 2 + 5, class: "chart__value" }, item.text ?? ""));
  });
  return root;
}

/** A table in a box that scrolls sideways on a narrow screen, reachable by the keyboard and named by the table's caption. */
export function tableWrap(table) {
  const box = document.createElement("div");
  box.className = "table-wrap";
  box.tabIndex = 0;
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", table.caption?.textContent || "");
  box.append(table);
  return box;
}
