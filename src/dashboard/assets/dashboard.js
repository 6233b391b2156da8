// Draws each policy's decisions per minute with uPlot, which the worker serves itself.
// The numbers come in the page (data-series), so the page needs no request of its own.
(() => {
  const SERIES = {
    admitted: { label: "admitted", stroke: "#2e7d32" },
    denied: { label: "denied", stroke: "#c62828" },
    shadowDenied: { label: "would deny (shadow)", stroke: "#ef6c00", dash: [6, 4] },
    blocked: { label: "blocked", stroke: "#6a1b9a" },
  };
  for (const element of document.querySelectorAll(".chart[data-series]")) {
    const data = JSON.parse(element.dataset.series);
    const names = Object.keys(SERIES).filter((name) => data[name].some((n) => n > 0));
    if (names.length === 0) names.push("admitted");
    const options = {
      width: Math.max(280, element.clientWidth || 480),
      height: 160,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      // Counts per minute: a step per minute, not a slope between them.
      series: [
        {},
        ...names.map((name) => ({
          ...SERIES[name],
          width: 1.5,
          points: { show: false },
          paths: uPlot.paths.stepped({ align: 1 }),
        })),
      ],
      legend: { live: false },
      axes: [{}, { size: 40 }],
    };
    new uPlot(options, [data.t, ...names.map((name) => data[name])], element);
  }
})();
