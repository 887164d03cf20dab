// GET /api/v1/projects/:projectId — one project
import { getProject } from '~/server/api-v1/operations/projects';

export const GET = getProject;
