// Pick the theme before first paint (no flash). A file of its own, not an inline script: the
// gateway's Content-Security-Policy allows scripts from the page's origin only.
try {
  var t = localStorage.getItem('sandpit.theme');
  if (!t) t = matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
  document.documentElement.dataset.theme = t;
} catch (e) {
  document.documentElement.dataset.theme = 'dark';
}
