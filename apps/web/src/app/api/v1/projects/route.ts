// GET /api/v1/projects — the organization's projects (REST API; operations in server/api-v1/operations)
import { listProjects } from '~/server/api-v1/operations/projects';

export const GET = listProjects;
