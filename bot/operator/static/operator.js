// The operator page: fetch data.json for the chosen period, then draw each table and, beside it, its
// chart (Chart.js, vendored next to this file). Text from the store is only ever set as textContent.
"use strict";

const SECTIONS = [  // table name (data.json and <name>.csv) -> the chart drawn beside it, if any
  {name: "daily", chart: "line"},
  {name: "outcomes", chart: "doughnut"},
  {name: "topics", chart: "topics"},
  {name: "feedback", chart: "feedback"},
  {name: "unanswered"},
  {name: "low_confidence"},
];
const COLOURS = ["#2563eb", "#16a34a", "#dc2626", "#f59e0b", "#6b7280", "#9333ea"];
const charts = [];

function element(tag, attributes = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function query(period) {
  return new URLSearchParams({from: period.from, to: period.to}).toString();
}

function renderTable(name, table) {
  const wrap = element("div", {class: "scroll"});
  const html = element("table", {id: `table-${name}`, "aria-label": table.title});
  const head = html.createTHead().insertRow();
  const numeric = table.columns.map((_, i) => table.rows.length > 0 && table.rows.every(r => typeof r[i] === "number"));
  table.columns.forEach((column, i) => head.append(element("th", numeric[i] ? {class: "num"} : {}, column)));
  const body = html.createTBody();
  for (const row of table.rows) {
    const tr = body.insertRow();
    row.forEach((cell, i) => {
      const td = tr.insertCell();
      if (numeric[i]) td.className = "num";
      if (Array.isArray(cell)) {
        const list = element("ul");
        cell.forEach(item => list.append(element("li", {}, item)));
        td.append(list);
      } else {
        td.textContent = cell;
      }
    });
  }
  if (table.rows.length === 0) {
    body.insertRow().append(element("td", {colspan: table.columns.length}, "Nothing in this period."));
  }
  wrap.append(html);
  if (table.more) wrap.append(element("p", {class: "more"}, `${table.more} more rows in the CSV file.`));
  return wrap;
}

function chartConfig(kind, table) {
  const column = index => table.rows.map(row => row[index]);
  const top = table.rows.slice(0, 10);
  const common = {animation: false, responsive: true, maintainAspectRatio: false};
  if (kind === "line") {
    return {type: "line", data: {labels: column(0), datasets: [
      {label: table.columns[1], data: column(1), borderColor: COLOURS[0], backgroundColor: COLOURS[0]},
      {label: table.columns[2], data: column(2), borderColor: COLOURS[1], backgroundColor: COLOURS[1]}]},
      options: {...common, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}};
  }
  if (kind === "doughnut") {
    return {type: "doughnut", data: {labels: column(0), datasets: [{data: column(1), backgroundColor: COLOURS}]},
      options: {...common, plugins: {legend: {position: "right"}}}};
  }
  if (kind === "topics") {
    return {type: "bar", data: {labels: top.map(r => r[0]), datasets: [
      {label: table.columns[2], data: top.map(r => r[2]), backgroundColor: COLOURS[0]}]},
      options: {...common, indexAxis: "y", scales: {x: {beginAtZero: true, ticks: {precision: 0}}}}};
  }
  return {type: "bar", data: {labels: top.map(r => r[0]), datasets: [
    {label: table.columns[2], data: top.map(r => r[2]), backgroundColor: COLOURS[1]},
    {label: table.columns[3], data: top.map(r => r[3]), backgroundColor: COLOURS[2]}]},
    options: {...common, indexAxis: "y", scales: {x: {stacked: true, beginAtZero: true, ticks: {precision: 0}},
                                                   y: {stacked: true}}}};
}

function renderSection(spec, table, period) {
  const section = element("section", {id: `section-${spec.name}`, "aria-labelledby": `title-${spec.name}`});
  const head = element("div", {class: "section-head"});
  head.append(element("h2", {id: `title-${spec.name}`}, table.title));
  head.append(element("a", {class: "csv", href: `${spec.name}.csv?${query(period)}`, download: ""}, "Download CSV"));
  section.append(head);
  const pair = element("div", {class: spec.chart ? "pair" : "pair wide"});
  if (spec.chart) {
    const box = element("div", {class: "chart"});
    const canvas = element("canvas", {role: "img", "aria-label": `Chart: ${table.title} (numbers in the table)`});
    box.append(canvas);
    pair.append(box);
    if (table.rows.length && window.Chart) charts.push(new window.Chart(canvas, chartConfig(spec.chart, table)));
  }
  pair.append(renderTable(spec.name, table));
  section.append(pair);
  return section;
}

function render(data) {
  charts.splice(0).forEach(chart => chart.destroy());
  document.getElementById("kept").textContent =
    data.kept + (data.oldest ? ` The oldest message stored is from ${data.oldest}.` : " The store holds no messages yet.");
  for (const [key, value] of Object.entries(data.totals)) {
    document.getElementById(`total-${key}`).textContent = value;
  }
  const sections = document.getElementById("sections");
  sections.replaceChildren();
  for (const spec of SECTIONS) {
    if (data.tables[spec.name]) sections.append(renderSection(spec, data.tables[spec.name], data.period));
  }
  const form = document.getElementById("period");
  form.elements.from.value = data.period.from;
  form.elements.to.value = data.period.to;
  document.getElementById("report").hidden = false;
}

async function load(params) {
  const status = document.getElementById("status");
  document.body.dataset.state = "loading";
  status.className = "";
  status.textContent = "Loading…";
  try {
    const reply = await fetch(`data.json?${params}`, {credentials: "same-origin", cache: "no-store"});
    const data = await reply.json();
    if (!reply.ok) throw new Error(data.error || `HTTP ${reply.status}`);
    render(data);
    status.textContent = `${data.period.from} to ${data.period.to} (${data.period.days} days, UTC)`;
    document.body.dataset.state = "ready";
  } catch (error) {
    status.className = "error";
    status.textContent = `Could not load the figures: ${error.message}`;
    document.body.dataset.state = "error";
  }
}

document.getElementById("period").addEventListener("submit", event => {
  event.preventDefault();
  const form = event.target;
  const params = query({from: form.elements.from.value, to: form.elements.to.value});
  history.replaceState(null, "", `?${params}`);
  load(params);
});

load(new URLSearchParams(location.search).toString());
