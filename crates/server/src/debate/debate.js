// threatscape: the open debate's pages.
// - On the live page (#live), polls live.json every second and counts the statement's time between
//   polls from the server's clock (corrected for the difference with this machine's), so the
//   countdown runs smoothly, turns amber in the last 30 seconds and red past the limit, showing
//   the overrun.
// - On the meeting page, reads a chosen rule 37 letter (PDF) into the form as base64, so the form
//   stays an ordinary URL-encoded POST.
'use strict';

function clock(ms) {
  const sign = ms < 0 ? '-' : '';
  let s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  s %= 60;
  const pad = (n) => String(n).padStart(2, '0');
  return h > 0 ? `${sign}${h}:${pad(m)}:${pad(s)}` : `${sign}${m}:${pad(s)}`;
}

function setText(id, text) {
  const el = document.getElementById(id);
  if (el && el.textContent !== text) el.textContent = text;
}

function liveView(root) {
  const source = root.dataset.source;
  let limitMs = Number(root.dataset.limitMs);
  let startedMs = root.dataset.startedMs ? Number(root.dataset.startedMs) : null;
  // server time = this machine's time + offset
  let offset = Number(root.dataset.nowMs) - Date.now();

  function tick() {
    const timer = document.getElementById('timer');
    const fill = document.getElementById('timer-fill');
    if (startedMs === null) {
      setText('countdown', clock(limitMs));
      setText('elapsed', clock(0));
      setText('timer-label', 'Time left');
      timer.classList.remove('overrun', 'warning');
      fill.style.width = '0%';
      return;
    }
    const elapsed = Math.max(0, Date.now() + offset - startedMs);
    const remaining = limitMs - elapsed;
    const over = remaining < 0;
    setText('countdown', over ? `+${clock(-remaining)}` : clock(remaining));
    setText('elapsed', clock(elapsed));
    setText('timer-label', over ? 'Over the time limit' : 'Time left');
    timer.classList.toggle('overrun', over);
    timer.classList.toggle('warning', !over && remaining <= 30000);
    fill.style.width = `${Math.min(100, (elapsed / limitMs) * 100)}%`;
  }

  function render(v) {
    offset = v.now_ms - Date.now();
    limitMs = v.time_limit_ms;
    const f = v.floor;
    startedMs = f && f.started_at_ms !== undefined ? f.started_at_ms : null;
    const phase = document.getElementById('phase');
    const phases = {
      'not-opened': ['phase-idle', 'not opened'], sitting: ['phase-sitting', 'in session'],
      suspended: ['phase-suspended', 'suspended'], closed: ['phase-closed', 'adjourned'],
    };
    const [cls, label] = phases[v.phase] || ['phase-idle', v.phase];
    phase.innerHTML = '';
    const badge = document.createElement('span');
    badge.className = `phase ${cls}`;
    badge.textContent = label;
    phase.appendChild(badge);
    setText('limit', clock(limitMs));
    setText('floor-name', f ? f.name : 'Nobody has the floor');
    const sp = f && f.speaker ? (f.speaker.title ? `${f.speaker.name}, ${f.speaker.title}` : f.speaker.name) : '';
    setText('floor-speaker', sp);
    setText('next-name', v.next ? `${v.next.position}. ${v.next.name}` : '—');
    setText('waiting', `${v.waiting} waiting`);
    const t = v.totals;
    setText('t-statements', String(t.statements));
    setText('t-speaking', clock(t.speaking_ms));
    setText('t-average', clock(t.average_ms));
    setText('t-overruns', String(t.overruns));
    setText('t-overrun', clock(t.overrun_ms));
    setText('t-sitting', clock(t.sitting_ms));
    setText('t-sittings', String(t.sittings));
    setText('t-suspended', clock(t.suspended_ms));
    const body = document.getElementById('statements-body');
    if (body.children.length !== v.statements.length) {
      body.innerHTML = '';
      for (const s of v.statements) {
        const tr = document.createElement('tr');
        if (s.overrun_ms > 0) tr.className = 'over';
        const cells = [
          s.position === undefined ? '' : String(s.position),
          s.name,
          // New York wall-clock time, as the server wrote it (2024-06-20T10:02:00-04:00[...]).
          s.started_at.slice(11, 19),
          clock(s.duration_ms),
          s.overrun_ms > 0 ? `+${clock(s.overrun_ms)}` : '—',
        ];
        cells.forEach((c, i) => {
          const td = document.createElement('td');
          td.textContent = c;
          if (i >= 3) td.className = 'num';
          tr.appendChild(td);
        });
        body.appendChild(tr);
      }
    }
    tick();
  }

  async function poll() {
    try {
      const r = await fetch(source, { credentials: 'same-origin', cache: 'no-store' });
      if (r.ok) render(await r.json());
    } catch (e) {
      // The next poll retries; the countdown keeps running from the last state meanwhile.
    }
  }

  tick();
  setInterval(tick, 200);
  setInterval(poll, 1000);
  poll();
}

function letterFields(form) {
  const file = form.querySelector('input[type=file][name=letter_file]');
  if (!file) return;
  file.addEventListener('change', () => {
    const f = file.files[0];
    form.querySelector('input[name=letter_file_name]').value = f ? f.name : '';
    form.querySelector('input[name=letter_base64]').value = '';
    if (!f) return;
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      form.querySelector('input[name=letter_base64]').value = url.slice(url.indexOf(',') + 1);
    };
    reader.readAsDataURL(f);
  });
  // The file itself is not sent: its bytes travel in letter_base64.
  form.addEventListener('submit', () => { file.disabled = true; });
}

document.addEventListener('DOMContentLoaded', () => {
  const live = document.getElementById('live');
  if (live) liveView(live);
  for (const id of ['inscribe-form', 'letter-form']) {
    const form = document.getElementById(id);
    if (form) letterFields(form);
  }
});
