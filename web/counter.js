// Placeholder widget until the resume page lands: count this visit and show the total.
const element = document.getElementById('visitor-count');
const page = encodeURIComponent(location.pathname);
fetch(`/api/count?page=${page}`, { method: 'POST', signal: AbortSignal.timeout(5000) })
  .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
  .then(({ views }) => {
    element.textContent = Number(views).toLocaleString();
  })
  .catch(() => {
    element.textContent = '–';
  });
