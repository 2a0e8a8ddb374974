import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { IntegrationKeyGuard } from './integration-key.guard';
import { IntegrationKeysService } from './integration-keys.service';
import { IntegrationsController } from './integrations.controller';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Global()
@Module({
  controllers: [AuthController, IntegrationsController, UsersController],
  providers: [AuthService, UsersService, IntegrationKeysService, IntegrationKeyGuard, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, UsersService, IntegrationKeysService, IntegrationKeyGuard],
})
export class AuthModule {}
