// GENERATED from the OpenAPI document of /api/v1 by packages/sdk-node/scripts/openapi-to-ts.mjs — do not edit.
// Regenerate: `pnpm --filter @pocketping/node generate <url of /api/v1/openapi.json>`, or
// `pnpm exec vitest run apps/web/src/server/api-v1/sdk-node.test.ts --update` (the test fails when this file drifts).

export type Problem = {
  /** A URN naming the problem: urn:pocketping:problem:<code>. */
  type: string;
  title: string;
  status: number;
  detail: string;
  code: "bad_request" | "invalid_cursor" | "unauthorized" | "forbidden" | "insufficient_scope" | "not_found" | "method_not_allowed" | "conflict" | "idempotency_in_progress" | "payload_too_large" | "unsupported_media_type" | "unprocessable" | "idempotency_key_reused" | "search_timeout" | "rate_limited" | "internal" | "unavailable";
  requestId: string;
  /** For bad_request: each invalid field, by path. */
  errors?: {
    path: string;
    message: string;
  }[];
  details?: Record<string, unknown>;
};

export type Project = {
  id: string;
  name: string;
  siteUrl: string | null;
  /** The widget key embedded in your site (public by design). */
  publicKey: string;
  allowedOrigins: string[];
  /** Paused by a plan downgrade: its widget starts no new conversations. */
  paused: boolean;
  /** ISO 8601, UTC */
  createdAt: string;
};

export type Conversation = {
  id: string;
  projectId: string;
  visitorId: string;
  status: "open" | "closed";
  lastMessageAt: string | null;
  closedAt: string | null;
  /** Messages and notes so far (the last seq). */
  messageCount: number;
  csat: {
    score: number;
    comment: string | null;
    at: string | null;
  } | null;
  /** The member (user id) it is assigned to; null: nobody. */
  assigneeId: string | null;
  /** Its tags, lower-case (at most 10). */
  tags: string[];
  /** ISO 8601, UTC */
  createdAt: string;
  /** ISO 8601, UTC */
  updatedAt: string;
};

export type Message = {
  id: string;
  conversationId: string;
  /** Order within the conversation; the cursor of the message list. */
  seq: number;
  sender: "visitor" | "operator" | "system" | "ai";
  /** internal = a note: never shown to the visitor. */
  visibility: "public" | "internal";
  authorName: string | null;
  /** Empty for a deleted message. */
  body: string;
  /** Where it was written: widget, web, telegram, slack, discord, api, ai, system. */
  source: string;
  /** ISO 8601, UTC */
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  attachments: Attachment[];
};

export type Attachment = {
  id: string;
  name: string;
  contentType: string;
  size: number;
};

export type Visitor = {
  id: string;
  projectId: string;
  /** Your own user id. */
  externalId: string | null;
  identityVerified: boolean;
  email: string | null;
  name: string | null;
  metadata: Record<string, unknown>;
  /** ISO 8601, UTC */
  createdAt: string;
  /** ISO 8601, UTC */
  lastSeenAt: string;
};

export type VisitorExport = {
  /** ISO 8601, UTC */
  exportedAt: string;
  visitor: {
    id: string;
    projectId: string;
    /** Your own user id. */
    externalId: string | null;
    identityVerified: boolean;
    email: string | null;
    name: string | null;
    metadata: Record<string, unknown>;
    /** ISO 8601, UTC */
    createdAt: string;
    /** ISO 8601, UTC */
    lastSeenAt: string;
    verifiedFields: string[];
    /** The time zone the visitor’s browser reported. */
    timeZone: string | null;
  };
  /** The pages the visitor’s widget saw (the newest 20 are kept), oldest first. */
  pagesVisited: {
    url: string;
    /** ISO 8601, UTC */
    seenAt: string;
  }[];
  conversations: {
    id: string;
    status: string;
    aiState: string;
    /** ISO 8601, UTC */
    createdAt: string;
    closedAt: string | null;
    lastMessageAt: string | null;
    preChat: unknown;
    csat: {
      score: number;
      comment: string | null;
      at: string | null;
    } | null;
    overQuota: boolean;
    /** Every message, internal notes included. */
    messages: {
      id: string;
      seq: number;
      sender: string;
      visibility: string;
      authorName: string | null;
      body: string;
      source: string;
      /** ISO 8601, UTC */
      createdAt: string;
      editedAt: string | null;
      deletedAt: string | null;
    }[];
    files: {
      id: string;
      conversationId: string;
      messageId: string | null;
      uploadedBy: string;
      name: string;
      contentType: string;
      size: number;
      sha256: string;
      /** ISO 8601, UTC */
      createdAt: string;
      /** The dashboard's download link (for a signed-in member). */
      downloadPath: string;
      /** The bytes; null when the export already carries 20 MB of files or the bytes are gone. */
      contentBase64: string | null;
    }[];
    /** Where the conversation was copied in your chat apps (platform ids). */
    chatAppCopies: {
      connectionId: string;
      kind: string;
      externalChatId: string;
      externalThreadId: string;
      messages: {
        messageId: string;
        direction: string;
        externalMessageId: string;
      }[];
    }[];
  }[];
};

export type ChatAppConnection = {
  id: string;
  projectId: string;
  kind: "telegram" | "slack" | "discord";
  /** The group or channel, as named when connected. */
  targetName: string | null;
  /** The Slack workspace or Discord server. */
  scopeName: string | null;
  status: "active" | "broken" | "disabled";
  statusReason: string | null;
  paused: boolean;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  /** ISO 8601, UTC */
  createdAt: string;
};

export type WebhookEndpoint = {
  id: string;
  projectId: string;
  url: string;
  description: string;
  /** The event types this endpoint receives. */
  events: string[];
  status: "enabled" | "disabled";
  disabledReason: string | null;
  failingSince: string | null;
  /** Until when the secret before a rotation still signs. */
  previousSecretExpiresAt: string | null;
  /** ISO 8601, UTC */
  createdAt: string;
  /** ISO 8601, UTC */
  updatedAt: string;
};

export type WebhookDelivery = {
  id: string;
  endpointId: string;
  projectId: string;
  /** The webhook-id header: the same on every attempt and on a replay. */
  eventId: string;
  eventType: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  /** ISO 8601, UTC */
  nextAttemptAt: string;
  lastStatus: number | null;
  lastError: string | null;
  /** ISO 8601, UTC */
  createdAt: string;
  deliveredAt: string | null;
  /** The body sent: { type, timestamp, data }. */
  payload: unknown;
  attemptLog: {
    attempt: number;
    status: number | null;
    ok: boolean;
    latencyMs: number;
    /** An excerpt of the answer. */
    response: string;
    /** ISO 8601, UTC */
    createdAt: string;
  }[];
};

export type StatsReport = {
  since: string;
  until: string;
  timeZone: string;
  /** Open now, the visitor wrote last and nobody answered since. */
  waitingNow: number;
  current: StatsFigures;
  /** The period of the same length just before `since`. */
  previous: StatsFigures;
};

export type StatsFigures = {
  /** Conversations started in the period. */
  conversations: number;
  /** Of those, closed now. */
  closed: number;
  /** Of those, the visitor wrote and no public reply ever came. */
  unanswered: number;
  /** Seconds from the visitor's first message to the first public reply (operator or AI); notes never count. */
  firstResponse: {
    /** Conversations measured. */
    count: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
  };
  /** Seconds from the start to the close, of those closed. */
  resolution: {
    /** Conversations measured. */
    count: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
  };
  csat: {
    count: number;
    /** 1–5; null without ratings. */
    average: number | null;
    distribution: {
      score: number;
      count: number;
    }[];
  };
  /** Where the first reply was written: the dashboard, a chat app, the API or the AI. */
  answeredBy: {
    channel: "dashboard" | "telegram" | "slack" | "discord" | "api" | "ai" | "other";
    count: number;
  }[];
  perDay: {
    date: string;
    conversations: number;
  }[];
  /** Conversations started per weekday and hour (168 cells). */
  heatmap: {
    /** ISO: 1 = Monday … 7 = Sunday. */
    weekday: number;
    hour: number;
    conversations: number;
  }[];
};

/** Every operation of /api/v1: its path and query parameters, body and success answer. */
export interface Operations {
  /** GET /projects — The organization's projects (only its own project for a project-restricted key) */
  listProjects: {
    params: Record<string, never>;
    query: Record<string, never>;
    body: Record<string, never>;
    response: {
      data: Project[];
    };
  };
  /** GET /projects/{projectId} — One project */
  getProject: {
    params: {
      projectId: string;
    };
    query: Record<string, never>;
    body: Record<string, never>;
    response: {
      data: Project;
    };
  };
  /** GET /conversations — Conversations, most recently active first */
  listConversations: {
    params: Record<string, never>;
    query: {
      status?: "open" | "closed";
      projectId?: string;
      visitorId?: string;
      /** `none`: unassigned; `me`: assigned to the member who created this API key; else a member's user id. */
      assignee?: string;
      /** Only conversations with this tag (any case). */
      tag?: string;
      /** Only conversations updated at or after. */
      updatedSince?: string;
      /** Text search: part of the visitor's email or name, or of a message or note (any case). */
      q?: string;
      /** nextCursor of the previous page. */
      cursor?: string;
      /** Page size, 1–100 (default 50). */
      limit?: number;
    };
    body: Record<string, never>;
    response: {
      data: Conversation[];
      nextCursor: string | null;
    };
  };
  /** GET /conversations/{conversationId} — One conversation */
  getConversation: {
    params: {
      conversationId: string;
    };
    query: Record<string, never>;
    body: Record<string, never>;
    response: {
      data: Conversation;
    };
  };
  /** PATCH /conversations/{conversationId} — Assign a conversation and/or replace its tags */
  updateConversation: {
    params: {
      conversationId: string;
    };
    query: Record<string, never>;
    body: {
      /** A member's user id, `me` (the member who created this API key) or null for nobody. A change leaves a note for the team and the chat apps ("API assigned this conversation to Ana") and sends `conversation.assigned`. */
      assigneeId?: string | null;
      /** The conversation's tags, replacing the ones it has ([] removes all): trimmed, inner spaces made one, lower-case, repeats dropped; each 1 to 32 characters. */
      tags?: string[];
    };
    response: {
      data: Conversation;
    };
  };
  /** POST /conversations/{conversationId}/close — Close a conversation */
  closeConversation: {
    params: {
      conversationId: string;
    };
    query: Record<string, never>;
    body: {
      /** Who did it, for the note (default "API"). */
      authorName?: string;
    };
    response: {
      data: {
        id: string;
        projectId: string;
        visitorId: string;
        status: "open" | "closed";
        lastMessageAt: string | null;
        closedAt: string | null;
        /** Messages and notes so far (the last seq). */
        messageCount: number;
        csat: {
          score: number;
          comment: string | null;
          at: string | null;
        } | null;
        /** The member (user id) it is assigned to; null: nobody. */
        assigneeId: string | null;
        /** Its tags, lower-case (at most 10). */
        tags: string[];
        /** ISO 8601, UTC */
        createdAt: string;
        /** ISO 8601, UTC */
        updatedAt: string;
        changed: boolean;
      };
    };
  };
  /** POST /conversations/{conversationId}/reopen — Reopen a conversation */
  reopenConversation: {
    params: {
      conversationId: string;
    };
    query: Record<string, never>;
    body: {
      /** Who did it, for the note (default "API"). */
      authorName?: string;
    };
    response: {
      data: {
        id: string;
        projectId: string;
        visitorId: string;
        status: "open" | "closed";
        lastMessageAt: string | null;
        closedAt: string | null;
        /** Messages and notes so far (the last seq). */
        messageCount: number;
        csat: {
          score: number;
          comment: string | null;
          at: string | null;
        } | null;
        /** The member (user id) it is assigned to; null: nobody. */
        assigneeId: string | null;
        /** Its tags, lower-case (at most 10). */
        tags: string[];
        /** ISO 8601, UTC */
        createdAt: string;
        /** ISO 8601, UTC */
        updatedAt: string;
        changed: boolean;
      };
    };
  };
  /** GET /conversations/{conversationId}/messages — Messages and notes of a conversation, oldest first */
  listMessages: {
    params: {
      conversationId: string;
    };
    query: {
      /** nextCursor of the previous page. */
      cursor?: string;
      /** Only messages after this seq (to poll for new ones). Ignored with a cursor. */
      afterSeq?: number;
      /** Page size, 1–100 (default 50). */
      limit?: number;
    };
    body: Record<string, never>;
    response: {
      data: Message[];
      nextCursor: string | null;
    };
  };
  /** POST /conversations/{conversationId}/messages — Reply as an operator, or add an internal note */
  sendMessage: {
    params: {
      conversationId: string;
    };
    query: Record<string, never>;
    body: {
      body: string;
      /** The name the visitor and the team see. */
      authorName: string;
      visibility?: "public" | "internal";
    };
    response: {
      data: Message;
    };
  };
  /** GET /visitors/{visitorId} — One visitor */
  getVisitor: {
    params: {
      visitorId: string;
    };
    query: Record<string, never>;
    body: Record<string, never>;
    response: {
      data: Visitor;
    };
  };
  /** PATCH /visitors/{visitorId} — Update a visitor's identity fields and metadata */
  updateVisitor: {
    params: {
      visitorId: string;
    };
    query: Record<string, never>;
    body: {
      email?: string | null;
      name?: string | null;
      externalId?: string | null;
      /** Merged key by key into the stored metadata; null removes a key. */
      metadata?: Record<string, (string | number | boolean) | null>;
    };
    response: {
      data: Visitor;
    };
  };
  /** DELETE /visitors/{visitorId} — Erase a visitor and everything they wrote (GDPR) */
  deleteVisitor: {
    params: {
      visitorId: string;
    };
    query: Record<string, never>;
    body: Record<string, never>;
    response: {
      data: {
        id: string;
        deleted: true;
        conversations: number;
        messages: number;
        files: number;
      };
    };
  };
  /** GET /visitors/{visitorId}/export — Everything stored about a visitor (GDPR access) */
  exportVisitor: {
    params: {
      visitorId: string;
    };
    query: Record<string, never>;
    body: Record<string, never>;
    response: {
      data: VisitorExport;
    };
  };
  /** GET /connections — Chat-app connections (Telegram, Slack, Discord) with their health */
  listConnections: {
    params: Record<string, never>;
    query: {
      projectId?: string;
    };
    body: Record<string, never>;
    response: {
      data: ChatAppConnection[];
    };
  };
  /** POST /visitors/{visitorId}/events — Push a named event to the visitor's widgets (PocketPing.on(name, fn) on your site) */
  pushVisitorEvent: {
    params: {
      visitorId: string;
    };
    query: Record<string, never>;
    body: {
      /** e.g. order.shipped */
      name: string;
      data?: unknown;
    };
    response: {
      data: {
        id: string;
        name: string;
        data: unknown;
        sentAt: string;
        delivery: "live" | "queued";
      };
    };
  };
  /** GET /webhook-endpoints — Webhook endpoints (of one project, or of every project the key reaches) */
  listWebhookEndpoints: {
    params: Record<string, never>;
    query: {
      projectId?: string;
    };
    body: Record<string, never>;
    response: {
      data: WebhookEndpoint[];
    };
  };
  /** POST /webhook-endpoints — Create a webhook endpoint (answers its signing secret, once) */
  createWebhookEndpoint: {
    params: Record<string, never>;
    query: Record<string, never>;
    body: {
      projectId: string;
      url: string;
      description?: string;
      events: ("conversation.created" | "conversation.closed" | "conversation.reopened" | "conversation.assigned" | "message.created" | "visitor.identified" | "event.custom" | "csat.submitted" | "connection.broken" | "connection.recovered" | "ai.handoff")[];
    };
    response: {
      data: WebhookEndpoint;
      /** The signing secret (whsec_…). Shown this once: store it now. */
      secret: string;
    };
  };
  /** GET /webhook-endpoints/{endpointId} — One webhook endpoint (never its secret) */
  getWebhookEndpoint: {
    params: {
      endpointId: string;
    };
    query: Record<string, never>;
    body: Record<string, never>;
    response: {
      data: WebhookEndpoint;
    };
  };
  /** PATCH /webhook-endpoints/{endpointId} — Change the URL, description, event filter, or enable/disable */
  updateWebhookEndpoint: {
    params: {
      endpointId: string;
    };
    query: Record<string, never>;
    body: {
      url?: string;
      description?: string;
      events?: ("conversation.created" | "conversation.closed" | "conversation.reopened" | "conversation.assigned" | "message.created" | "visitor.identified" | "event.custom" | "csat.submitted" | "connection.broken" | "connection.recovered" | "ai.handoff")[];
      status?: "enabled" | "disabled";
    };
    response: {
      data: WebhookEndpoint;
    };
  };
  /** DELETE /webhook-endpoints/{endpointId} — Delete a webhook endpoint and its delivery log */
  deleteWebhookEndpoint: {
    params: {
      endpointId: string;
    };
    query: Record<string, never>;
    body: Record<string, never>;
    response: {
      data: {
        id: string;
        deleted: true;
      };
    };
  };
  /** POST /webhook-endpoints/{endpointId}/rotate-secret — A new signing secret (answered once); the old one keeps signing for 24 h */
  rotateWebhookEndpointSecret: {
    params: {
      endpointId: string;
    };
    query: Record<string, never>;
    body: Record<string, never>;
    response: {
      data: WebhookEndpoint;
      /** The signing secret (whsec_…). Shown this once: store it now. */
      secret: string;
    };
  };
  /** GET /webhook-endpoints/{endpointId}/deliveries — An endpoint's delivery log, newest first, each with its attempts */
  listWebhookDeliveries: {
    params: {
      endpointId: string;
    };
    query: {
      /** nextCursor of the previous page. */
      cursor?: string;
      /** Page size, 1–100 (default 25). */
      limit?: number;
    };
    body: Record<string, never>;
    response: {
      data: WebhookDelivery[];
      nextCursor: string | null;
    };
  };
  /** POST /webhook-endpoints/{endpointId}/deliveries/{deliveryId}/replay — Send a delivery again (same webhook-id and payload, so receivers dedupe) */
  replayWebhookDelivery: {
    params: {
      endpointId: string;
      deliveryId: string;
    };
    query: Record<string, never>;
    body: Record<string, never>;
    response: {
      data: WebhookDelivery;
    };
  };
  /** POST /webhook-endpoints/{endpointId}/test — Send a webhook.test event to this endpoint (whatever its event filter) */
  sendWebhookTestEvent: {
    params: {
      endpointId: string;
    };
    query: Record<string, never>;
    body: Record<string, never>;
    response: {
      data: WebhookDelivery;
    };
  };
  /** GET /stats — Figures of the conversations started in a period, and of the period before it */
  getStats: {
    params: Record<string, never>;
    query: {
      /** Only this project (a project-restricted key: its own, or it's a 404). */
      projectId?: string;
      /** Start of the period (inclusive). */
      since?: string;
      /** End of the period (exclusive; default now). */
      until?: string;
      /** IANA time zone the days and hours are counted in, e.g. Europe/Paris (default UTC). */
      timeZone?: string;
    };
    body: Record<string, never>;
    response: {
      data: StatsReport;
    };
  };
}

/** Method and path of every operation (what the client sends). */
export const OPERATIONS = {
  listProjects: { method: "GET", path: "/projects" },
  getProject: { method: "GET", path: "/projects/{projectId}" },
  listConversations: { method: "GET", path: "/conversations" },
  getConversation: { method: "GET", path: "/conversations/{conversationId}" },
  updateConversation: { method: "PATCH", path: "/conversations/{conversationId}" },
  closeConversation: { method: "POST", path: "/conversations/{conversationId}/close" },
  reopenConversation: { method: "POST", path: "/conversations/{conversationId}/reopen" },
  listMessages: { method: "GET", path: "/conversations/{conversationId}/messages" },
  sendMessage: { method: "POST", path: "/conversations/{conversationId}/messages" },
  getVisitor: { method: "GET", path: "/visitors/{visitorId}" },
  updateVisitor: { method: "PATCH", path: "/visitors/{visitorId}" },
  deleteVisitor: { method: "DELETE", path: "/visitors/{visitorId}" },
  exportVisitor: { method: "GET", path: "/visitors/{visitorId}/export" },
  listConnections: { method: "GET", path: "/connections" },
  pushVisitorEvent: { method: "POST", path: "/visitors/{visitorId}/events" },
  listWebhookEndpoints: { method: "GET", path: "/webhook-endpoints" },
  createWebhookEndpoint: { method: "POST", path: "/webhook-endpoints" },
  getWebhookEndpoint: { method: "GET", path: "/webhook-endpoints/{endpointId}" },
  updateWebhookEndpoint: { method: "PATCH", path: "/webhook-endpoints/{endpointId}" },
  deleteWebhookEndpoint: { method: "DELETE", path: "/webhook-endpoints/{endpointId}" },
  rotateWebhookEndpointSecret: { method: "POST", path: "/webhook-endpoints/{endpointId}/rotate-secret" },
  listWebhookDeliveries: { method: "GET", path: "/webhook-endpoints/{endpointId}/deliveries" },
  replayWebhookDelivery: { method: "POST", path: "/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/replay" },
  sendWebhookTestEvent: { method: "POST", path: "/webhook-endpoints/{endpointId}/test" },
  getStats: { method: "GET", path: "/stats" },
} as const;
