// Tiny inline-SVG charts for the dashboard (no chart library). Labels go in via textContent.
const SVG = "http://www.w3.org/2000/svg";

function svgNode(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function frame(width, height, title) {
  const svg = svgNode("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title });
  svg.append(svgNode("title", {}, title));
  return svg;
}

/**
 * Vertical bars. data: [{ label, value, valueLabel?, className? }]. Long series show every
 * n-th x label so they never overlap.
 */
export function columnChart(title, data, { width = 560, height = 220 } = {}) {
  const svg = frame(width, height, title);
  const pad = { top: 18, right: 8, bottom: 28, left: 8 };
  const max = Math.max(1, ...data.map((d) => d.value));
  const slot = (width - pad.left - pad.right) / Math.max(1, data.length);
  const plotHeight = height - pad.top - pad.bottom;
  const labelEvery = Math.ceil(data.length / 12);
  data.forEach((d, index) => {
    const barHeight = (d.value / max) * plotHeight;
    const x = pad.left + index * slot;
    const bar = svgNode("rect", { class: `bar ${d.className || ""}`, x: x + slot * 0.15, width: Math.max(1, slot * 0.7),
      y: pad.top + plotHeight - barHeight, height: barHeight, rx: 2 });
    bar.append(svgNode("title", {}, `${d.label}: ${d.valueLabel ?? d.value}`));
    svg.append(bar);
    if (data.length <= 16) {
      svg.append(svgNode("text", { class: "value-label", x: x + slot / 2, y: pad.top + plotHeight - barHeight - 4, "text-anchor": "middle" }, d.valueLabel ?? String(d.value)));
    }
    if (index % labelEvery === 0) {
      svg.append(svgNode("text", { x: x + slot / 2, y: height - 10, "text-anchor": "middle" }, d.label));
    }
  });
  svg.append(svgNode("line", { class: "axis", x1: pad.left, x2: width - pad.right, y1: pad.top + plotHeight, y2: pad.top + plotHeight }));
  return svg;
}

/** Horizontal bars with the label on the left and the value on the right of each bar. */
export function barChart(title, data, { width = 560, labelWidth = 170, max } = {}) {
  const rowHeight = 26;
  const height = Math.max(1, data.length) * rowHeight + 8;
  const svg = frame(width, height, title);
  const top = Math.max(max ?? 0, ...data.map((d) => d.value), 1e-9);
  const plotWidth = width - labelWidth - 90;
  data.forEach((d, index) => {
    const y = 4 + index * rowHeight;
    const barWidth = (d.value / top) * plotWidth;
    svg.append(svgNode("text", { x: labelWidth - 8, y: y + 16, "text-anchor": "end" }, d.label));
    svg.append(svgNode("rect", { class: `bar ${d.className || ""}`, x: labelWidth, y: y + 4, width: Math.max(barWidth, 1), height: rowHeight - 10, rx: 3 }));
    svg.append(svgNode("text", { class: "value-label", x: labelWidth + barWidth + 6, y: y + 16 }, d.valueLabel ?? String(d.value)));
  });
  return svg;
}
