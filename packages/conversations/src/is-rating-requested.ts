/**
 * The close → rating rule, everywhere the widget learns a conversation's status (the close push, the session on
 * connect): a closed conversation asks its visitor for a rating when the project wants ratings and none was given.
 */
export function isRatingRequested(
  state: { status: 'open' | 'closed'; csatScore: number | null },
  csatEnabled: boolean,
) {
  return state.status === 'closed' && csatEnabled && state.csatScore === null;
}
