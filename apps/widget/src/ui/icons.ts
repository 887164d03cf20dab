// 24×24 path data, shared by the loader's plain-DOM launcher and the Preact UI so both look the same.
export const CHAT_ICON =
  'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z';
export const CLOSE_ICON = 'M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z';
export const SEND_ICON = 'M3 20.5 21.5 12 3 3.5 3 10l13 2-13 2z';
export const ATTACH_ICON =
  'M7 12.5 13.5 6a3 3 0 0 1 4.2 4.2l-7.8 7.8a5 5 0 0 1-7-7L10 3.9l1.4 1.4-7.1 7.1a3 3 0 0 0 4.2 4.2l7.8-7.8a1 1 0 0 0-1.4-1.4l-6.5 6.5z';
