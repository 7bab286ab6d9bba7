/**
 * The public join pages (扫码入会: /join and /join/status), their own entry
 * (public.html): React, the antd components these pages use and nothing of
 * the staff app (no charts, inbox, session), so a worker's phone on 3G shows
 * the form quickly. The join form is in the entry itself (it is what the QR
 * posters open); the status page loads on demand.
 */
import { renderThemed } from './theme';
import { PublicApp } from './PublicApp';

renderThemed(<PublicApp />);
