import type { LocaleTemplates } from './mail-templates.js';

/** Motivos de cancelación que escribe el propio sistema, dichos para el cliente. */
const CANCELLATION_REASONS: Record<string, string> = {
  payment_timeout: 'no se pagó dentro del plazo de pago, así que los artículos volvieron a estar a la venta',
  requested: 'se canceló a petición tuya o de la tienda',
};

const greeting = (name: string) => `Hola ${name}:`;
const SIGNATURE = 'El equipo de Mascotas';
const orderLink = (link: string | undefined) => (link ? [{ link, label: 'Ver tu pedido' }] : []);

export const SPANISH: LocaleTemplates = {
  password_reset: (data) => ({
    subject: 'Restablece tu contraseña de Mascotas',
    blocks: [
      greeting(data.name),
      'Alguien pidió restablecer la contraseña de tu cuenta de Mascotas. Para elegir una nueva, abre este enlace:',
      { link: data.link, label: 'Elegir una contraseña nueva' },
      `El enlace sirve una sola vez, durante ${data.expires_in_minutes} minutos. Si no lo pediste, ignora este correo: tu contraseña no cambia.`,
      SIGNATURE,
    ],
  }),
  email_verification: (data) => ({
    subject: 'Confirma tu dirección de correo',
    blocks: [
      greeting(data.name),
      'Confirma que esta es tu dirección de correo abriendo este enlace:',
      { link: data.link, label: 'Confirmar mi correo' },
      'Si no creaste una cuenta en Mascotas, ignora este correo.',
      SIGNATURE,
    ],
  }),
  order_confirmed: (data) => ({
    subject: `Tu pedido ${data.order_id} está confirmado`,
    blocks: [
      greeting(data.name),
      `Buenas noticias: tu pedido ${data.order_id} está confirmado y sus artículos están reservados para ti.`,
      `Total: ${data.total}`,
      ...orderLink(data.link),
      SIGNATURE,
    ],
  }),
  order_rejected: (data) => ({
    subject: `No pudimos aceptar tu pedido ${data.order_id}`,
    blocks: [
      greeting(data.name),
      `Lo sentimos: no pudimos aceptar tu pedido ${data.order_id}.`,
      `Motivo: ${data.reason}`,
      'No se te cobró nada. Puedes volver a hacer el pedido cuando quieras.',
      ...orderLink(data.link),
      SIGNATURE,
    ],
  }),
  order_cancelled: (data) => ({
    subject: `Tu pedido ${data.order_id} fue cancelado`,
    blocks: [
      greeting(data.name),
      `Tu pedido ${data.order_id} fue cancelado.`,
      `Motivo: ${CANCELLATION_REASONS[data.reason] ?? data.reason}`,
      ...orderLink(data.link),
      SIGNATURE,
    ],
  }),
  order_shipped: (data) => ({
    subject: `Tu pedido ${data.order_id} está en camino`,
    blocks: [
      greeting(data.name),
      `Tu pedido ${data.order_id} fue enviado.`,
      ...(data.tracking_number ? [`Número de seguimiento: ${data.tracking_number}`] : []),
      ...orderLink(data.link),
      SIGNATURE,
    ],
  }),
};
