/** The dashboard URLs the team emails link to (WEB_PUBLIC_URL plus the App Router paths). */
export function notificationLinks(webPublicUrl: string) {
  const base = webPublicUrl.replace(/\/+$/, '');
  return {
    conversation: (organizationId: string, projectId: string, conversationId: string) =>
      `${base}/app/o/${organizationId}/p/${projectId}/inbox/${conversationId}`,
    preferences: `${base}/app/account/notifications`,
    /** The page a person opens from the email's footer (asks before turning anything off). */
    unsubscribe: (token: string) => `${base}/unsubscribe/${encodeURIComponent(token)}`,
    /** A visitor's way back into their conversation (a signed, expiring link; no account needed). */
    visitorConversation: (token: string) => `${base}/chat/${encodeURIComponent(token)}`,
    /** RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" here. */
    oneClickUnsubscribe: (token: string) => `${base}/api/unsubscribe/${encodeURIComponent(token)}`,
  };
}
