// The command room's bell: a short two-note tone made with WebAudio (no
// sound file), played when a lead reaches the unit. Browsers let a page
// make sound only after a user gesture, so the audio context is made on the
// first click or key press on the page (`arm`); until then `play` is
// silent. The mute choice is remembered in localStorage.
import { signal } from '@preact/signals';

const MUTED_KEY = 'tipline.console.inbox.muted';

function storedMuted(): boolean {
  try {
    return localStorage.getItem(MUTED_KEY) === '1';
  } catch {
    return false;
  }
}

type AudioCtor = typeof AudioContext;

export function createChime() {
  const muted = signal(storedMuted());
  /** The page may make sound (a gesture has been seen). */
  const armed = signal(false);
  let ctx: AudioContext | null = null;

  function arm() {
    try {
      if (!ctx) {
        const Ctor: AudioCtor | undefined = window.AudioContext ?? (window as unknown as { webkitAudioContext?: AudioCtor }).webkitAudioContext;
        if (!Ctor) return;
        ctx = new Ctor();
      }
      if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
      armed.value = true;
    } catch {
      /* no audio here: the visible cue stays */
    }
  }

  function note(at: number, freq: number, length: number) {
    const c = ctx!;
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = 'sine';
    osc.frequency.setValueAtTime(freq, at);
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.25, at + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + length);
    osc.connect(gain).connect(c.destination);
    osc.start(at);
    osc.stop(at + length + 0.02);
  }

  return {
    muted,
    armed,
    arm,
    setMuted(m: boolean) {
      muted.value = m;
      try {
        if (m) localStorage.setItem(MUTED_KEY, '1');
        else localStorage.removeItem(MUTED_KEY);
      } catch {
        /* not remembered */
      }
    },
    /** Rings once; false when muted or not yet allowed. */
    play(): boolean {
      if (muted.value || !ctx || !armed.value) return false;
      try {
        const t0 = ctx.currentTime + 0.01;
        note(t0, 880, 0.14);
        note(t0 + 0.16, 1318.5, 0.22);
        return true;
      } catch {
        return false;
      }
    },
    close() {
      void ctx?.close().catch(() => undefined);
      ctx = null;
      armed.value = false;
    },
  };
}

export type Chime = ReturnType<typeof createChime>;
